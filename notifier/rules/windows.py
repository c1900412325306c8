"""Time windows (`[time_windows.NAME]`): parsing their parts and testing a moment against them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from notifier.rules.model import TimeWindow

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
_DAY_RANGE = re.compile(r"(\d+)(?:\s*-\s*(\d+))?")
_MINUTES_PER_DAY = 24 * 60


def parse_weekdays(items: Iterable[str]) -> tuple[int, ...]:
    """Weekday numbers (0 = Monday) of items like "mon-fri" or "sat"; "fri-mon" wraps."""
    days: set[int] = set()
    for item in items:
        first, _, last = item.strip().lower().partition("-")
        start, end = _weekday(first, item), _weekday(last or first, item)
        days.update((start + step) % 7 for step in range((end - start) % 7 + 1))
    return tuple(sorted(days))


def _weekday(name: str, item: str) -> int:
    cleaned = name.strip()
    for index, full_name in enumerate(WEEKDAY_NAMES):
        if cleaned in (full_name[:3], full_name):
            return index
    raise ValueError(f'"{item}" is not a weekday or range like "mon-fri"')


def parse_days_of_month(items: Iterable[str | int]) -> tuple[int, ...]:
    """Days of the month (1-31) of items like 1, "15" or "1-7"."""
    days: set[int] = set()
    for item in items:
        found = _DAY_RANGE.fullmatch(str(item).strip())
        low = int(found[1]) if found else 0
        high = int(found[2] or low) if found else 0
        if not 1 <= low <= high <= 31:
            raise ValueError(f'"{item}" is not a day of the month or range like "1-7"')
        days.update(range(low, high + 1))
    return tuple(sorted(days))


def parse_times(items: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """[start, end) minutes after midnight of items like "02:00-02:30"; "23:00-01:00" wraps."""
    return tuple(_time_range(item) for item in items)


def _time_range(item: str) -> tuple[int, int]:
    found = _TIME_RANGE.fullmatch(item.strip())
    if found is None:
        raise ValueError(f'"{item}" is not a time range like "02:00-02:30"')
    hours_start, minutes_start, hours_end, minutes_end = (int(part) for part in found.groups())
    start, end = hours_start * 60 + minutes_start, hours_end * 60 + minutes_end
    if hours_start > 23 or minutes_start > 59 or minutes_end > 59 or end > _MINUTES_PER_DAY:
        raise ValueError(f'"{item}" has a time outside 00:00-24:00')
    if start == end:
        raise ValueError(f'"{item}" is empty: its start and end are the same')
    return start, end


def in_window(window: TimeWindow, now: datetime, tz: ZoneInfo) -> bool:
    """Whether `now` falls in the window, judged by the wall clock of `tz`.

    The part of a range that crosses midnight belongs to the day it started on: with
    weekdays = ["fri"] and times = ["23:00-01:00"], Saturday 00:30 is inside.
    """
    local = now.astimezone(tz)
    minute = local.hour * 60 + local.minute
    today = local.date()
    if not window.times:
        return _day_allowed(window, today)
    for start, end in window.times:
        if start < end and start <= minute < end and _day_allowed(window, today):
            return True
        if start > end and minute >= start and _day_allowed(window, today):
            return True
        if start > end and minute < end and _day_allowed(window, today - timedelta(days=1)):
            return True
    return False


def _day_allowed(window: TimeWindow, day: date) -> bool:
    weekday_ok = not window.weekdays or day.weekday() in window.weekdays
    return weekday_ok and (not window.days_of_month or day.day in window.days_of_month)
