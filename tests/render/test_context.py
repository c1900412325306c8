from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fakes.events import make_event
from fakes.notices import make_notice

from notifier.notices import Notice, Reason
from notifier.render.context import RenderContext, reason_text

AT = datetime(2024, 1, 15, 8, 30, tzinfo=UTC)


EVENT = make_event(AT)


@pytest.mark.parametrize(
    ("notice", "text"),
    [
        (make_notice(reason=Reason.FIRST, event=EVENT), "first"),
        (make_notice(reason=Reason.NEW_IN_GROUP, event=EVENT), "new in group"),
        (
            make_notice(reason=Reason.REPEAT, event=EVENT, new_count=7, since=AT),
            "repeat (still happening: 7 more since 09:30)",
        ),
        (
            make_notice(reason=Reason.REPEAT, event=EVENT, new_count=2),
            "repeat (still happening: 2 more since 09:30)",
        ),
        (
            make_notice(reason=Reason.THRESHOLD, event=EVENT, threshold=(5, timedelta(minutes=10))),
            "threshold reached: 5 in 10m",
        ),
        (
            make_notice(reason=Reason.THRESHOLD, event=EVENT, threshold=(3, timedelta(hours=2))),
            "threshold reached: 3 in 2h",
        ),
        (make_notice(reason=Reason.RESOLVED, event=EVENT), "resolved/quiet"),
        (make_notice(reason=Reason.DIGEST, event=EVENT), "digest"),
        (make_notice(reason=Reason.REPLAY, event=EVENT), "replay"),
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
