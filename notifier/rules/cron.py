"""Cron lines as users write them, turned into APScheduler triggers.

APScheduler 3 numbers weekdays from 0 = Monday, cron from 0 (or 7) = Sunday: the weekday field is
rewritten as explicit day names so "0 9 * * 1-5" and "0 9 * * mon-fri" both mean what cron means.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]

_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_PART = re.compile(r"(?P<first>\*|\w+)(?:-(?P<last>\w+))?(?:/(?P<step>\d+))?")


def cron_trigger(schedule: str, timezone: tzinfo) -> CronTrigger:
    """The trigger for a 5-field cron line; raises ValueError naming what is wrong."""
    fields = schedule.split()
    if len(fields) != 5:
        raise ValueError(
            f'"{schedule}" has {len(fields)} fields, cron needs 5: minute hour day month weekday'
        )
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_weekday_names(weekday),
        timezone=timezone,
    )


def _weekday_names(field: str) -> str:
    if field == "*":
        return "*"
    days: list[int] = []
    for part in field.lower().split(","):
        days.extend(_expand(part, field))
    return ",".join(_CRON_DAYS[day % 7] for day in sorted(set(days)))


def _expand(part: str, field: str) -> range:
    found = _PART.fullmatch(part)
    if found is None:
        raise ValueError(f'weekday field "{field}": cannot read "{part}"')
    if found["first"] == "*":
        first, last = 0, 6
    else:
        first = _day_number(found["first"], field)
        last = _day_number(found["last"], field) if found["last"] else first
    if first > last:
        raise ValueError(f'weekday field "{field}": range "{part}" runs backwards')
    step = int(found["step"] or 1)
    if step < 1:
        raise ValueError(f'weekday field "{field}": step must be at least 1')
    return range(first, last + 1, step)


def _day_number(token: str, field: str) -> int:
    if token.isdigit() and int(token) <= 7:
        return int(token)
    if token in _CRON_DAYS:
        return _CRON_DAYS.index(token)
    raise ValueError(f'weekday field "{field}": "{token}" is not a day (0-7 or sun-sat)')
