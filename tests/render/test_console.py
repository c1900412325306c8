import io
from datetime import timedelta

import pytest
from fakes.events import make_event
from fakes.notices import make_notice

from notifier.delivery.console_channel import print_notice
from notifier.delivery.outcome import Sent
from notifier.notices import Reason
from notifier.render.console import render_console
from notifier.render.context import RenderContext


def test_console_block_shows_reason_code_message_account_url_and_links() -> None:
    event = make_event(
        message="Got HTTP 502", account_sid="AC1", url="https://x.example/hook", method="GET"
    )
    ctx = RenderContext(accounts={"AC1": "prod"})
    block = render_console(make_notice(event=event, count=2), ctx)
    assert block.splitlines()[0] == "== ERROR 11200 HTTP retrieval failure =="
    for line in (
        "Reason:         first",
        "Account:        prod (AC1)",
        "Message:        Got HTTP 502",
        "Request:        GET https://x.example/hook",
        "Error docs:     https://www.twilio.com/docs/api/errors/11200",
    ):
        assert line in block.splitlines()


def test_first_notice_lists_possible_causes_and_what_to_try() -> None:
    lines = render_console(make_notice(count=2), RenderContext()).splitlines()
    cause = "Web server returned a 4xx or 5xx HTTP response to Twilio"
    start = lines.index(f"Likely causes:  - {cause}")
    assert lines[start + 1] == "                - Misconfigured Web Server"
    assert lines[start + 3].startswith("What to try:    - Double check that your TwiML URL")


@pytest.mark.parametrize(
    ("reason", "line"),
    [(Reason.NEW_IN_GROUP, "Joined group webhooks|11200: 2 in all, last seen 12:00 UTC."),
     (Reason.REPEAT, "Still happening: 0 more since 12:00; 2 in all, last seen 12:00 UTC."),
     (Reason.RESOLVED, "Resolved: quiet since 12:00 UTC; 2 in all from 12:00 to 12:00 UTC.")],
    ids=["joining-event-says-which-group", "repeat-says-how-many-more", "resolved-says-since-when"],
)  # fmt: skip
def test_a_later_notice_is_its_title_and_one_line(reason: Reason, line: str) -> None:
    block = render_console(make_notice(reason=reason, count=2), RenderContext())
    assert block == f"== ERROR 11200 HTTP retrieval failure ==\n{line}\n"


@pytest.mark.parametrize(
    "reason", [Reason.NEW_IN_GROUP, Reason.JOINED], ids=["the-group-update", "the-joining-event"]
)
def test_a_joining_event_says_when_the_next_update_comes(reason: Reason) -> None:
    ctx = RenderContext(group_intervals={"webhooks": timedelta(minutes=1)})
    block = render_console(make_notice(reason=reason, count=2), ctx)
    assert block.splitlines()[1] == (
        "Joined group webhooks|11200: 2 in all, last seen 12:00 UTC; next update within 1m."
    )


def test_multiline_values_are_indented_under_their_label() -> None:
    event = make_event(message="one\r\ntwo")
    block = render_console(make_notice(event=event, count=2), RenderContext())
    assert "Message:        one\n                two\n" in block


def test_terminal_controls_in_payloads_show_as_visible_escapes() -> None:
    event = make_event(
        message="\x1b[31mred\x07\0 \x9b2J \u202eevil",
        error_message="Bad\x1b]0;title\x07",
        response_body="line\rover",
    )
    block = render_console(make_notice(event=event, count=2), RenderContext())
    assert block.splitlines()[0] == "== ERROR 11200 Bad\\x1b]0;title\\x07 =="
    assert "Message:        \\x1b[31mred\\x07\\x00 \\x9b2J \\u202eevil" in block.splitlines()
    assert "line\\rover" in block
    assert not {"\x1b", "\x07", "\0", "\x9b", "\u202e", "\r"} & set(block)


def test_console_receiver_prints_an_escaped_block_and_keeps_its_lines() -> None:
    out = io.StringIO()
    assert print_notice("== title ==\nMessage: \x1b[2J\u2067x", out) == Sent()
    assert out.getvalue() == "== title ==\nMessage: \\x1b[2J\\u2067x\n"
