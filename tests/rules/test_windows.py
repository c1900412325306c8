from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from notifier.rules.model import TimeWindow
from notifier.rules.windows import (
    in_window,
    parse_days_of_month,
    parse_times,
    parse_weekdays,
)

BERLIN = ZoneInfo("Europe/Berlin")


def make_window(
    weekdays: list[str] | None = None,
    days_of_month: list[str] | None = None,
    times: list[str] | None = None,
) -> TimeWindow:
    return TimeWindow(
        name="window",
        weekdays=parse_weekdays(weekdays or []),
        days_of_month=parse_days_of_month(days_of_month or []),
        times=parse_times(times or []),
    )


def berlin(text: str) -> datetime:
    """A moment given as Berlin wall-clock time, returned in UTC as the pipeline passes it."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN).astimezone(UTC)


@pytest.mark.parametrize(
    ("window", "moment", "expected"),
    [
        (make_window(["mon-fri"], times=["02:00-02:30"]), "2024-06-04 02:10", True),
        (make_window(["mon-fri"], times=["02:00-02:30"]), "2024-06-04 02:30", False),
        (make_window(["mon-fri"], times=["02:00-02:30"]), "2024-06-08 02:10", False),
        (make_window(["mon-fri", "sat"]), "2024-06-08 12:00", True),
        (make_window(["sat-sun"]), "2024-06-10 12:00", False),
        (make_window(["fri-mon"]), "2024-06-10 12:00", True),
        (make_window(days_of_month=["1-7"]), "2024-06-07 23:59", True),
        (make_window(days_of_month=["1-7"]), "2024-06-08 00:00", False),
        (make_window(["mon"], ["1-7"]), "2024-06-03 08:00", True),
        (make_window(["mon"], ["1-7"]), "2024-06-10 08:00", False),
        (make_window(times=["23:00-01:00"]), "2024-06-04 23:30", True),
        (make_window(times=["23:00-01:00"]), "2024-06-05 00:30", True),
        (make_window(times=["23:00-01:00"]), "2024-06-05 01:00", False),
        (make_window(["fri"], times=["23:00-01:00"]), "2024-06-08 00:30", True),
        (make_window(["fri"], times=["23:00-01:00"]), "2024-06-07 00:30", False),
        (make_window(times=["02:00-02:30"]), "2024-01-09 02:15", True),
        (make_window(times=["02:00-02:30"]), "2024-07-09 02:15", True),
        (make_window(times=["00:00-24:00"]), "2024-07-09 23:59", True),
        (make_window(), "2024-07-09 12:00", True),
    ],
    ids=[
        "weekday-inside-times",
        "end-is-exclusive",
        "saturday-outside-mon-fri",
        "any-listed-weekday",
        "other-weekday",
        "weekday-range-wraps",
        "last-day-of-days-of-month",
        "day-after-days-of-month",
        "weekday-and-day-of-month-both-hold",
        "weekday-without-day-of-month",
        "before-midnight-of-crossing-range",
        "after-midnight-of-crossing-range",
        "crossing-range-end-exclusive",
        "after-midnight-belongs-to-start-day",
        "after-midnight-of-a-day-not-started",
        "winter-wall-clock",
        "summer-wall-clock",
        "whole-day",
        "empty-window-is-always-open",
    ],
)
def test_moment_is_judged_by_local_wall_clock(
    window: TimeWindow, moment: str, expected: bool
) -> None:
    assert in_window(window, berlin(moment), BERLIN) is expected


def test_same_utc_moment_differs_by_timezone() -> None:
    window = make_window(times=["02:00-02:30"])
    moment = datetime(2024, 7, 9, 0, 15, tzinfo=UTC)  # 02:15 in Berlin (CEST)
    assert in_window(window, moment, BERLIN)
    assert not in_window(window, moment, ZoneInfo("UTC"))


def test_both_repeated_hours_of_autumn_dst_change_are_inside() -> None:
    window = make_window(times=["02:00-03:00"])
    first = datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2024, 10, 27, 1, 30, tzinfo=UTC)  # 02:30 CET, an hour later
    assert in_window(window, first, BERLIN)
    assert in_window(window, second, BERLIN)


@pytest.mark.parametrize(
    ("parse", "items", "message"),
    [
        (parse_weekdays, ["funday"], r'"funday" is not a weekday or range like "mon-fri"'),
        (parse_weekdays, ["mon-xyz"], r'"mon-xyz" is not a weekday'),
        (parse_days_of_month, ["0"], r'"0" is not a day of the month or range like "1-7"'),
        (parse_days_of_month, ["7-1"], r'"7-1" is not a day of the month'),
        (parse_days_of_month, ["32"], r'"32" is not a day of the month'),
        (parse_times, ["2-3"], r'"2-3" is not a time range like "02:00-02:30"'),
        (parse_times, ["25:00-26:00"], r'"25:00-26:00" has a time outside 00:00-24:00'),
        (parse_times, ["02:00-02:00"], r'"02:00-02:00" is empty'),
    ],
    ids=[
        "unknown-weekday",
        "unknown-weekday-in-range",
        "day-zero",
        "backwards-days",
        "day-32",
        "time-without-minutes",
        "hour-25",
        "empty-time-range",
    ],
)
def test_bad_window_parts_are_refused_by_value(
    parse: Callable[[list[Any]], object], items: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        parse(items)


def test_full_weekday_names_and_integer_days_are_read() -> None:
    assert parse_weekdays(["Monday", "sun"]) == (0, 6)
    assert parse_days_of_month([1, "15"]) == (1, 15)
