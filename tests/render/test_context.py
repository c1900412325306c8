from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifier.events import Event
from notifier.notices import Notice, Reason
from notifier.render.context import RenderContext, reason_text

AT = datetime(2024, 1, 15, 8, 30, tzinfo=UTC)


def make_notice(reason: Reason, **overrides: object) -> Notice:
    event = Event(source="debugger", time=AT)
    return Notice("r", "r|1", reason, event, 9, AT, AT, (), **overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("notice", "text"),
    [
        (make_notice(Reason.FIRST), "first"),
        (make_notice(Reason.NEW_IN_GROUP), "new in group"),
        (
            make_notice(Reason.REPEAT, new_count=7, since=AT),
            "repeat (still happening: 7 more since 09:30)",
        ),
        (make_notice(Reason.REPEAT, new_count=2), "repeat (still happening: 2 more since 09:30)"),
        (
            make_notice(Reason.THRESHOLD, threshold=(5, timedelta(minutes=10))),
            "threshold reached: 5 in 10m",
        ),
        (
            make_notice(Reason.THRESHOLD, threshold=(3, timedelta(hours=2))),
            "threshold reached: 3 in 2h",
        ),
        (make_notice(Reason.RESOLVED), "resolved/quiet"),
        (make_notice(Reason.DIGEST), "digest"),
        (make_notice(Reason.REPLAY), "replay"),
    ],
    ids=[
        "first",
        "new-in-group",
        "repeat-counts-since-local-time",
        "repeat-defaults-to-first-seen",
        "threshold-in-minutes",
        "threshold-in-hours",
        "resolved",
        "digest",
        "replay",
    ],
)
def test_reason_text_says_why_in_the_users_timezone(notice: Notice, text: str) -> None:
    assert reason_text(notice, RenderContext(ZoneInfo("Europe/Berlin"))) == text
