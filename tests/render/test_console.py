import io
from datetime import UTC, datetime
from typing import Any

from notifier.channels.console import print_notice
from notifier.channels.result import Sent
from notifier.events import Event
from notifier.notices import Notice, Reason
from notifier.render.console import render_console
from notifier.render.context import RenderContext

AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def make_event(**overrides: Any) -> Event:
    fields: dict[str, Any] = {"source": "debugger", "time": AT, "error_code": "11200"}
    return Event(**{**fields, "error_message": "HTTP retrieval failure", **overrides})


def make_notice(event: Event, reason: Reason = Reason.FIRST) -> Notice:
    return Notice("webhooks", "webhooks|11200", reason, event, 2, AT, AT, ())


def test_console_block_shows_reason_code_message_account_url_and_links() -> None:
    event = make_event(
        message="Got HTTP 502", account_sid="AC1", url="https://x.example/hook", method="GET"
    )
    block = render_console(make_notice(event), RenderContext(accounts={"AC1": "prod"}))
    assert block.splitlines()[0] == "== ERROR 11200 HTTP retrieval failure =="
    for line in (
        "Reason:         first",
        "Account:        prod (AC1)",
        "Message:        Got HTTP 502",
        "Request:        GET https://x.example/hook",
        "Error docs:     https://www.twilio.com/docs/api/errors/11200",
    ):
        assert line in block.splitlines()


def test_multiline_values_are_indented_under_their_label() -> None:
    block = render_console(make_notice(make_event(message="one\r\ntwo")), RenderContext())
    assert "Message:        one\n                two\n" in block


def test_terminal_controls_in_payloads_show_as_visible_escapes() -> None:
    event = make_event(
        message="\x1b[31mred\x07\0 \x9b2J \u202eevil",
        error_message="Bad\x1b]0;title\x07",
        response_body="line\rover",
    )
    block = render_console(make_notice(event), RenderContext())
    assert block.splitlines()[0] == "== ERROR 11200 Bad\\x1b]0;title\\x07 =="
    assert "Message:        \\x1b[31mred\\x07\\x00 \\x9b2J \\u202eevil" in block.splitlines()
    assert "line\\rover" in block
    assert not {"\x1b", "\x07", "\0", "\x9b", "\u202e", "\r"} & set(block)


def test_console_receiver_prints_an_escaped_block_and_keeps_its_lines() -> None:
    out = io.StringIO()
    assert print_notice("== title ==\nMessage: \x1b[2J\u2067x", out) == Sent()
    assert out.getvalue() == "== title ==\nMessage: \\x1b[2J\\u2067x\n"
