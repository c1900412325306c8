import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from notifier.events import Event
from notifier.notices import Notice, Reason
from notifier.render.context import RenderContext
from notifier.render.email import build_message, render_email

AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
GROUP_ID = f"<group-{hashlib.sha256(b'webhooks|11200').hexdigest()[:32]}@twilio-alert-notifier>"


def make_event(**overrides: Any) -> Event:
    fields: dict[str, Any] = {"source": "debugger", "time": AT, "error_code": "11200"}
    return Event(**{**fields, "error_message": "HTTP retrieval failure", **overrides})


def make_notice(reason: Reason = Reason.FIRST, **overrides: Any) -> Notice:
    notice = Notice("webhooks", "webhooks|11200", reason, make_event(), 1, AT, AT, ())
    return replace(notice, **overrides)


def test_subject_has_prefix_level_code_message_and_route() -> None:
    rendered = render_email(make_notice(), RenderContext(), "[twilio]")
    assert rendered.subject == "[twilio] [error] 11200 HTTP retrieval failure (webhooks)"


def test_subject_drops_cr_lf_nul_and_stays_short() -> None:
    event = make_event(error_message="Bad\r\nBcc: victim@example.com\0" + "x" * 500)
    subject = render_email(make_notice(event=event), RenderContext()).subject
    assert not set(subject) & {"\r", "\n", "\0"}
    assert len(subject) == 200 and subject.endswith("…(truncated)")


@pytest.mark.parametrize(
    ("reason", "threaded"),
    [
        (Reason.FIRST, False),
        (Reason.THRESHOLD, False),
        (Reason.NEW_IN_GROUP, True),
        (Reason.REPEAT, True),
        (Reason.RESOLVED, True),
        (Reason.REPLAY, True),
    ],
    ids=[
        "first-starts-thread",
        "threshold-starts-thread",
        "new-in-group-replies",
        "repeat-replies",
        "resolved-replies",
        "replay-replies",
    ],
)
def test_later_notices_reply_to_the_groups_stable_message_id(
    reason: Reason, threaded: bool
) -> None:
    rendered = render_email(make_notice(reason), RenderContext())
    if threaded:
        assert rendered.in_reply_to == GROUP_ID and rendered.message_id != GROUP_ID
    else:
        assert (rendered.message_id, rendered.in_reply_to) == (GROUP_ID, None)


def test_each_repeat_gets_its_own_message_id() -> None:
    ids = {render_email(make_notice(Reason.REPEAT, count=n), RenderContext()).message_id
           for n in range(5)}  # fmt: skip
    assert len(ids) == 5


def test_html_part_escapes_payload_markup() -> None:
    event = make_event(message="<script>alert(1)</script>", resource_sid="CA1'><img>")
    html = render_email(make_notice(event=event), RenderContext()).html
    assert "<script>" not in html and "&lt;script&gt;" in html and "<img>" not in html


def test_built_message_has_text_and_html_alternatives_and_threading_headers() -> None:
    rendered = render_email(make_notice(Reason.REPEAT), RenderContext())
    message = build_message(rendered, "bot@example.com", ["a@example.com", "b@example.com"])
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert message["To"] == "a@example.com, b@example.com"
    assert message["In-Reply-To"] == message["References"] == GROUP_ID
    assert message["Message-ID"] == rendered.message_id
