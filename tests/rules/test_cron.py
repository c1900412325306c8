from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from notifier.rules.cron import cron_trigger

BERLIN = ZoneInfo("Europe/Berlin")
SATURDAY = datetime(2024, 6, 1, 12, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("schedule", "next_day"),
    [
        ("0 9 * * 1-5", "Mon"),
        ("0 9 * * mon-fri", "Mon"),
        ("0 9 * * 0", "Sun"),
        ("0 9 * * 7", "Sun"),
        ("0 9 * * sun", "Sun"),
        ("0 9 * * 1-6/2", "Mon"),
        ("0 9 * * 2,4", "Tue"),
        ("0 9 * * *", "Sun"),
    ],
    ids=[
        "numbers-1-5-are-mon-fri",
        "names-mon-fri",
        "zero-is-sunday",
        "seven-is-sunday",
        "name-sun",
        "stepped-range-in-cron-numbers",
        "list",
        "every-day",
    ],
)
def test_weekdays_mean_what_cron_means(schedule: str, next_day: str) -> None:
    fire = cron_trigger(schedule, BERLIN).get_next_fire_time(None, SATURDAY)
    assert (fire.strftime("%a"), fire.hour) == (next_day, 9)


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("0 9 * *", r'"0 9 \* \*" has 4 fields, cron needs 5'),
        ("0 9 * * 5-1", r'weekday field "5-1": range "5-1" runs backwards'),
        ("0 9 * * sunday", r'weekday field "sunday": "sunday" is not a day \(0-7 or sun-sat\)'),
        ("0 9 * * 1/0", r'weekday field "1/0": step must be at least 1'),
        ("61 9 * * *", r"the maximum value \(59\)"),
    ],
    ids=["four-fields", "backwards-range", "long-name", "zero-step", "minute-61"],
)
def test_bad_schedules_are_refused_with_the_reason(schedule: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cron_trigger(schedule, BERLIN)
