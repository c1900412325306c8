import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fakes.events import make_event
from fakes.notices import make_notice
from fakes.slack import block_kit_errors
from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifier.digest.block_kit import render_digest_slack
from notifier.digest.build import CodeLine, DigestReport, FailedDelivery, Fired
from notifier.events import Event
from notifier.notices import Reason
from notifier.render.block_kit import (
    plain_version,
    render_slack,
    render_storm_summary,
    thread_reply,
)
from notifier.render.context import RenderContext
from notifier.twilio.catalog import Catalog, ErrorCode

AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
CTX = RenderContext(ZoneInfo("Europe/Berlin"), {"AC" + "a" * 32: "production"})


EVENT = make_event(
    AT, error_message="HTTP retrieval failure", product="Programmable Voice",
    message="Got HTTP 502", event_sid="NO" + "1" * 32, resource_sid="CA" + "2" * 32,
    url="https://api.example.com/voice", method="POST", http_status=502,
    response_body="Bad Gateway",
)  # fmt: skip


def texts(value: Any) -> Iterator[str]:
    """Every string Slack will display or parse, wherever it sits in the payload."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


def assert_within_slack_limits(payload: dict[str, Any]) -> None:
    blocks = payload["blocks"]
    assert len(blocks) <= 50
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if "text" in block and block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        fields = block.get("fields", [])
        assert len(fields) <= 10 and all(len(f["text"]) <= 2000 for f in fields)


HOSTILE = {
    "mention": "<!channel> please look",
    "link": "<https://evil.example|click here>",
    "user": "<@U012345> and <#C0123|general>",
    "crlf": "line one\r\nline two\nBcc: victim@example.com",
    "huge": "x<!here>" * 12_800,
    "unicode": "Ünïcødé ☎️ 電話 \u202e <!everyone>",
    "fence": "``` <!channel> ```",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=[f"{k}-is-inert" for k in HOSTILE])
@pytest.mark.parametrize("field", ["message", "error_message", "response_body", "url", "product"])
def test_hostile_text_pings_and_links_no_one(field: str, text: str) -> None:
    hostile: dict[str, Any] = {field: text}
    payload = render_slack(make_notice(event=EVENT._replace(**hostile)), CTX)
    assert not [t for t in texts(payload) if "<" in t or ">" in t]
    assert_within_slack_limits(payload)


def test_huge_message_is_truncated_with_a_visible_marker() -> None:
    payload = render_slack(make_notice(event=EVENT._replace(message="é" * 100_000)), CTX)
    message = next(t for t in texts(payload["blocks"]) if t.startswith("*Message*"))
    assert len(message) <= 3000
    assert message.endswith("…(truncated, " + f"{100_000 - message.count('é'):,} more characters)")


def test_header_states_severity_level_code_and_catalog_message() -> None:
    header = render_slack(make_notice(event=EVENT), CTX)["blocks"][0]
    assert header == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": ":red_circle: ERROR 11200 HTTP retrieval failure",
            "emoji": True,
        },
    }


@pytest.mark.parametrize(
    ("level", "emoji"),
    [("error", ":red_circle:"), ("warning", ":large_orange_circle:"),
     ("info", ":large_blue_circle:"), ("debug", ":white_circle:")],
    ids=["error-red", "warning-orange", "info-blue", "other-white"],
)  # fmt: skip
def test_severity_shows_at_a_glance_as_an_emoji_per_level(level: str, emoji: str) -> None:
    header = render_slack(make_notice(event=EVENT._replace(level=level)), CTX)["blocks"][0]
    assert header["text"]["text"].startswith(f"{emoji} {level.upper()} 11200")


def test_fields_show_friendly_account_resource_and_local_times() -> None:
    fields = list(texts(render_slack(make_notice(event=EVENT), CTX)["blocks"][2]))
    assert f"*Account*\nproduction (AC{'a' * 32})" in fields
    assert f"*Resource*\ncall CA{'2' * 32}" in fields
    assert "*First seen*\n2024-05-01 14:00:00 CEST" in fields
    assert "*Reason*\nfirst" in fields


def test_failed_request_and_response_are_shown_in_code_blocks() -> None:
    shown = list(texts(render_slack(make_notice(event=EVENT), CTX)))
    assert "*Request*\n```POST https://api.example.com/voice```" in shown
    assert "*Response*\n```HTTP 502\nBad Gateway```" in shown


def test_buttons_link_to_the_console_event_resource_and_error_docs() -> None:
    actions = render_slack(make_notice(event=EVENT), CTX)["blocks"][-1]
    assert [b["url"] for b in actions["elements"]] == [
        f"https://console.twilio.com/us1/monitor/logs/debugger/errors/NO{'1' * 32}",
        f"https://www.twilio.com/console/voice/calls/logs/CA{'2' * 32}",
        "https://www.twilio.com/docs/api/errors/11200",
    ]


def test_hostile_sid_cannot_break_out_of_a_button_url() -> None:
    event = EVENT._replace(resource_sid="CA1|<!channel> x", event_sid="NO1>|y")
    urls = [b["url"] for b in render_slack(make_notice(event=event), CTX)["blocks"][-1]["elements"]]
    assert not [u for u in urls if set(u) & set("<>| ")]


@pytest.mark.parametrize(
    ("trigger_by", "value", "shown"),
    [("price", "12.5", "$12.50"), ("price", "1234", "$1,234.00"), ("count", "1500", "1,500"),
     ("usage", "12.25", "12.25"), ("price", "n/a", "n/a")],
    ids=["price-as-usd", "price-thousands", "count-as-number", "usage-keeps-decimals",
         "unparseable-kept"],
)  # fmt: skip
def test_usage_trigger_values_are_formatted_by_trigger_kind(
    trigger_by: str, value: str, shown: str
) -> None:
    event = Event(
        source="usage_trigger", time=AT, level="info", usage_category="totalprice",
        trigger_by=trigger_by, trigger_value=value, current_value=value, recurring="daily",
    )  # fmt: skip
    fields = list(texts(render_slack(make_notice(event=event), CTX)))
    assert f"*Trigger value*\n{shown}" in fields and "*Period*\nevery day" in fields
    assert f":large_blue_circle: INFO Usage trigger fired: total price at {shown}" in fields


def test_fallback_text_says_why_the_notice_was_sent() -> None:
    notice = make_notice(event=EVENT, reason=Reason.THRESHOLD, threshold=(5, timedelta(minutes=10)))
    text = render_slack(notice, CTX)["text"]
    assert text == "ERROR 11200 HTTP retrieval failure (threshold reached: 5 in 10m)"


LATER = AT + timedelta(minutes=7)


@pytest.mark.parametrize(
    ("reason", "emoji", "second_line"),
    [(Reason.REPEAT, ":repeat:",
      "Still happening: 4 more since 14:02; 12 in all, last seen 14:07 CEST."),
     (Reason.RESOLVED, ":white_check_mark:",
      "Resolved: quiet since 14:07 CEST; 12 in all from 14:00 to 14:07 CEST.")],
    ids=["repeat-says-how-many-more-since-when", "resolved-says-quiet-since-when"],
)  # fmt: skip
def test_a_thread_reply_is_two_short_lines(reason: Reason, emoji: str, second_line: str) -> None:
    notice = make_notice(
        event=EVENT,
        reason=reason,
        count=12,
        new_count=4,
        since=AT + timedelta(minutes=2),
        last_seen=LATER,
    )
    reply = thread_reply(render_slack(notice, CTX))
    assert reply == {"text": f"{emoji} *ERROR 11200 HTTP retrieval failure*\n{second_line}"}
    assert block_kit_errors(reply) == []


def test_the_edited_message_shows_count_and_last_seen_first() -> None:
    notice = make_notice(event=EVENT, reason=Reason.NEW_IN_GROUP, count=12, last_seen=LATER)
    context = render_slack(notice, CTX)["blocks"][1]
    assert context == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "12 events, last seen 14:07 CEST: new in group"}],
    }


def test_first_notice_says_what_to_try_from_twilios_catalog() -> None:
    blocks = render_slack(make_notice(event=EVENT), CTX)["blocks"]
    [advice] = [t for t in texts(blocks) if t.startswith("*What to try*")]
    assert advice.count("\n• ") == 6
    assert (
        "_Possible causes_\n• Web server returned a 4xx or 5xx HTTP response to Twilio\n" in advice
    )
    assert "_Possible solutions_\n• Double check that your TwiML URL" in advice
    assert "Error docs" in [b["text"]["text"] for b in blocks[-1]["elements"]]


def test_a_code_the_catalog_has_no_advice_for_gets_no_what_to_try() -> None:
    blocks = render_slack(make_notice(event=EVENT._replace(error_code="82002")), CTX)["blocks"]
    assert not [t for t in texts(blocks) if t.startswith("*What to try*")]


def test_advice_from_twilio_is_escaped_and_cut_visibly() -> None:
    entry = ErrorCode("11200", "HTTP retrieval failure", None, ("<!channel> " + "x" * 900,), ())
    ctx = replace(CTX, catalog=Catalog({"11200": entry}))
    [advice] = [t for t in texts(render_slack(make_notice(event=EVENT), ctx)) if "What to try" in t]
    assert "&lt;!channel&gt;" in advice and "<" not in advice
    assert re.search(r"…\(truncated, [\d,]+ more characters\)\nMore: https://", advice)


def test_a_resolved_group_message_is_marked_resolved_at_a_glance() -> None:
    header = render_slack(make_notice(event=EVENT, reason=Reason.RESOLVED), CTX)["blocks"][0]
    assert header["text"]["text"] == ":white_check_mark: ERROR 11200 HTTP retrieval failure"


def test_a_sub_account_is_named_with_its_parent() -> None:
    ctx = replace(CTX, accounts={"AC1": "eu-shop", "AC" + "a" * 32: "production"})
    event = EVENT._replace(account_sid="AC1", parent_account_sid="AC" + "a" * 32)
    fields = list(texts(render_slack(make_notice(event=event), ctx)))
    assert "*Account*\neu-shop (AC1)" in fields
    assert f"*Parent account*\nproduction (AC{'a' * 32})" in fields


def test_an_event_streams_event_without_catalog_entry_is_titled_in_words() -> None:
    event = EVENT._replace(source="event_stream", error_code=None, error_message=None)
    payload = render_slack(make_notice(event=event), CTX)
    assert payload["blocks"][0]["text"]["text"] == ":red_circle: ERROR Event Streams error"
    assert "*Source*\nEvent Streams" in list(texts(payload))


def test_an_alarm_shows_its_threshold_and_opens_the_alarm() -> None:
    event = Event(
        source="alarm", time=AT, error_code="11200", error_message="HTTP retrieval failure",
        resource_sid="AT" + "3" * 32, resource_type="alarm", trigger_value="10",
        current_value="12", recurring="5m", message="More than 10 errors 11200 in 5 minutes",
    )  # fmt: skip
    payload = render_slack(make_notice(event=event), CTX)
    shown = list(texts(payload))
    assert "*Trigger value*\n10 errors" in shown and "*Current value*\n12 errors" in shown
    assert "*Period*\n5m window" in shown
    buttons = [(b["text"]["text"], b["url"]) for b in payload["blocks"][-1]["elements"]]
    assert buttons[0] == (
        "Open alarm",
        f"https://www.twilio.com/console/debugger/alarms/AT{'3' * 32}",
    )


def test_a_fallback_hit_opens_its_call_and_names_the_failed_url() -> None:
    event = Event(
        source="fallback", time=AT, error_code="11205", error_message="HTTP connection failure",
        resource_sid="CA" + "4" * 32, resource_type="call", url="https://example.com/voice",
    )  # fmt: skip
    payload = render_slack(make_notice(event=event), CTX)
    assert "*Failed URL*\n```POST https://example.com/voice```" in list(texts(payload))
    labels = [b["text"]["text"] for b in payload["blocks"][-1]["elements"]]
    assert labels == ["Open call", "Error docs"]


def test_a_usage_trigger_shows_no_request_line() -> None:
    event = Event(
        source="usage_trigger", time=AT, level="warning", usage_category="sms",
        trigger_by="count", trigger_value="1000", current_value="1001",
        url="/2010-04-01/Accounts/AC1/Usage/Records/Daily", resource_sid="UT" + "5" * 32,
        resource_type="usage_trigger",
    )  # fmt: skip
    payload = render_slack(make_notice(event=event), CTX)
    assert not [t for t in texts(payload) if "2010-04-01" in t]
    assert "*Usage category*\nSMS" in list(texts(payload))
    assert [b["text"]["text"] for b in payload["blocks"][-1]["elements"]] == ["Open usage trigger"]


def test_storm_summary_folds_notices_into_one_message_per_channel() -> None:
    notices = [
        make_notice(
            group_key=f"g{i % 20}", count=i, event=EVENT._replace(error_code=str(11200 + i % 20))
        )
        for i in range(100)
    ]
    payload = render_storm_summary("#alerts <!channel>", notices)
    assert payload["text"] == "Storm: 100 alerts for 20 groups folded"
    listing = list(texts(payload))[-1]
    assert listing.count("\n• ") == 14 and listing.endswith("…and 5 more groups")
    assert listing.startswith("• ERROR 11219 HTTP retrieval failure (webhooks): 99 events")
    assert not [t for t in texts(payload) if "<!" in t]
    assert json.dumps(payload)


# -- Slack's documented limits, whatever Twilio sent ----------------------------------------

STRING_FIELDS = [
    name
    for name, kind in Event.__annotations__.items()
    if "str" in str(kind) and name not in ("source", "time")
]
# Characters that grow when escaped (&<>), break out of links or code (|`*), split lines, or
# are wide; repeated up to far beyond every limit.
PIECES = st.text(alphabet="a&<>|`*\n é☎️ ", min_size=1, max_size=6)
HOSTILE_TEXT = st.builds(lambda piece, n: piece * n, PIECES, st.integers(0, 9_000))
ENTITY_CUT = re.compile(r"&(?!amp;|lt;|gt;)")


def assert_fits_slack(payload: dict[str, Any]) -> None:
    """Within every documented limit (as FakeSlack checks them), and no entity cut in half."""
    assert block_kit_errors(payload) == []
    assert len(payload["text"]) <= 40_000
    buttons = {
        id(b["text"])
        for block in payload.get("blocks", [])
        for b in block.get("elements", [])
        if "url" in b
    }
    escaped = [t for t in texts(payload) if id(t) not in buttons]
    assert not [t for t in escaped if ENTITY_CUT.search(t)]


@settings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries({}, optional={name: HOSTILE_TEXT for name in STRING_FIELDS}))
def test_every_field_at_any_length_renders_within_slacks_limits(fields: dict[str, Any]) -> None:
    notice = make_notice(event=EVENT._replace(**fields), route=fields.get("product") or "webhooks")
    payload = render_slack(notice, CTX)
    assert_fits_slack(payload)
    assert_fits_slack(plain_version(payload))


def test_a_button_whose_url_cannot_fit_is_left_out() -> None:
    event = EVENT._replace(resource_sid="CA" + "x" * 3_000, error_code="1" * 3_000)
    actions = render_slack(make_notice(event=event), CTX)["blocks"][-1]
    assert [b["text"]["text"] for b in actions["elements"]] == ["Console event"]
    assert_fits_slack(render_slack(make_notice(event=event), CTX))


def test_truncation_never_cuts_an_entity_in_half() -> None:
    for shift in range(6):
        payload = render_slack(
            make_notice(event=EVENT._replace(message="x" * shift + "&" * 3_000)), CTX
        )
        message = next(t for t in texts(payload) if t.startswith("*Message*"))
        assert re.search(r"&amp;…\(truncated, [\d,]+ more characters\)$", message)
        assert not ENTITY_CUT.search(message)


def test_the_plain_text_version_keeps_what_the_blocks_said() -> None:
    payload = render_slack(make_notice(event=EVENT), CTX)
    text = plain_version(payload)["text"]
    assert "blocks" not in plain_version(payload)
    assert "ERROR 11200 HTTP retrieval failure" in text and "*Count*\n1" in text
    assert "Error docs: https://www.twilio.com/docs/api/errors/11200" in text


DIGEST_TEXT = st.builds(lambda piece, n: piece * n, PIECES, st.integers(0, 2_000))


@settings(max_examples=60, deadline=None)
@example(code="&", text="", many=1)  # a link's & must be escaped as well
@given(
    code=DIGEST_TEXT.filter(bool),
    text=DIGEST_TEXT,
    many=st.integers(0, 80),
)
def test_a_digest_of_any_size_renders_within_slacks_limits(code: str, text: str, many: int) -> None:
    line = CodeLine(code, 5, 2, AT, AT, True, text, text, ((text, 3),), ((text, 1),))
    report = DigestReport(
        name=text or "d",
        start=AT,
        end=AT,
        total=5,
        by_level={text: 5},
        codes=(line,) * many,
        new_codes=(code,) * many,
        routes={text: {"alerted": 1}},
        fired_total=many,
        fired=tuple(Fired("alarm", AT, None, text, text, text) for _ in range(many)),
        failed=tuple(FailedDelivery(text, text, 1, text) for _ in range(many)),
    )
    assert_fits_slack(render_digest_slack(report, CTX))
