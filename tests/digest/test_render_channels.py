"""Slack and email renderings of a digest: limits, escaping, the tail, links."""

from __future__ import annotations

import json
import re
from zoneinfo import ZoneInfo

from fakes.digests import at, make_code, make_report

from notifier.digest.block_kit import render_digest_slack
from notifier.digest.build import DigestReport, FailedDelivery, Fired
from notifier.digest.email import render_digest_email
from notifier.digest.render import CONSOLE_URL
from notifier.render.block_kit import MAX_BLOCKS, MAX_HEADER, MAX_SECTION
from notifier.render.context import RenderContext

BERLIN = RenderContext(ZoneInfo("Europe/Berlin"), {"ACa": "production"})
HOSTILE = "<!channel> & <b>bold</b>\r\nBcc: victim@example.com"


def texts(payload: dict[str, object]) -> str:
    return json.dumps(payload, ensure_ascii=False)


def test_slack_digest_has_totals_a_section_per_code_and_a_console_button() -> None:
    payload = render_digest_slack(make_report(more_codes=3), BERLIN)
    blocks = payload["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Digest morning", "emoji": True},
    }
    assert "*Events:* 5 (↑ 150% vs 2 the period before)" in blocks[1]["text"]["text"]
    code = blocks[2]["text"]["text"]
    assert code.startswith("*<https://www.twilio.com/docs/api/errors/11200|11200>*: 5 (↑ 150%)")
    assert "accounts: production 3, ACb 2" in code
    assert blocks[3] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "and 3 more codes"}],
    }
    assert blocks[-1]["elements"][0]["url"] == CONSOLE_URL
    assert payload["text"].startswith("Digest morning: 2026-03-10 01:00 to 2026-03-11 01:00 CET")


def test_slack_digest_escapes_twilio_and_user_text_so_nobody_is_pinged() -> None:
    report = make_report(
        codes=(make_code(message=HOSTILE, top_resources=((HOSTILE, 1),)),),
        routes={HOSTILE: {"alerted": 1}},
        failed=(FailedDelivery("r", "ops", 1, HOSTILE),),
        fired_total=1,
        fired=(Fired("alarm", at(10, 2), None, HOSTILE, None, None),),
    )
    rendered = texts(render_digest_slack(report, BERLIN))
    assert "<!channel>" not in rendered
    assert "&lt;!channel&gt; &amp; &lt;b&gt;" in rendered


def test_slack_digest_stays_within_block_kit_limits() -> None:
    many = tuple(make_code(str(20000 + n), message="m" * 5000) for n in range(10))
    report = make_report(
        name="x" * 400,
        codes=many,
        more_codes=90,
        routes={f"route-{n}-{'r' * 150}": {"alerted": n} for n in range(60)},
        failed=tuple(FailedDelivery(f"r{n}", "ops", 1, "e" * 500) for n in range(40)),
    )
    blocks = render_digest_slack(report, BERLIN)["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert len(blocks[0]["text"]["text"]) <= MAX_HEADER
    sections = [block["text"]["text"] for block in blocks if block["type"] == "section"]
    assert all(len(text) <= MAX_SECTION for text in sections)
    assert any(re.search(r"…\(truncated, [\d,]+ more characters\)$", text) for text in sections)


def test_a_quiet_period_is_one_slack_line() -> None:
    payload = render_digest_slack(DigestReport("morning", at(10, 0), at(11, 0)), BERLIN)
    assert len(payload["blocks"]) == 1
    assert "all quiet" in payload["blocks"][0]["text"]["text"]


def test_email_digest_has_a_one_line_subject_text_and_an_escaped_html_table() -> None:
    report = make_report(
        name="morning\r\nBcc: victim@example.com", codes=(make_code(message=HOSTILE),)
    )
    rendered = render_digest_email(report, BERLIN, "[twilio]")
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    assert rendered.subject.startswith("[twilio] Digest morning Bcc: victim@example.com: ")
    assert "Events: 5 (↑ 150% vs 2 the period before)" in rendered.text
    assert "<table" in rendered.html
    assert "<b>bold</b>" not in rendered.html and "&lt;b&gt;bold&lt;/b&gt;" in rendered.html
    assert "href='https://www.twilio.com/docs/api/errors/11200'" in rendered.html
    assert f"href='{CONSOLE_URL}'" in rendered.html


def test_the_same_digest_period_keeps_its_message_id() -> None:
    first = render_digest_email(make_report(), BERLIN)
    again = render_digest_email(make_report(total=6), BERLIN)
    other = render_digest_email(make_report(name="evening"), BERLIN)
    assert first.message_id == again.message_id != other.message_id
    assert first.in_reply_to is None
