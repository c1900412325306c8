"""The Silence / Acknowledge buttons of a group's Slack message, and the message after a click."""

from typing import Any

import pytest
from fakes.notices import make_notice
from fakes.slack import block_kit_errors
from hypothesis import given
from hypothesis import strategies as st

from notifier.notices import Reason
from notifier.pipeline.groups import MAX_KEY
from notifier.render.block_kit import render_slack
from notifier.render.context import RenderContext
from notifier.render.slack_buttons import (
    BLOCK_ID,
    ButtonAction,
    ButtonState,
    acted_message,
    group_ref,
    key_hash,
    parse_ref,
    parse_value,
)

INTERACTIVE = RenderContext(interactive=True)


def buttons(payload: dict[str, Any]) -> list[tuple[str, str]]:
    blocks = [b for b in payload["blocks"] if b.get("block_id") == BLOCK_ID]
    return [(e["text"]["text"], e["action_id"]) for b in blocks for e in b["elements"]]


def test_first_notice_offers_silence_and_acknowledge_when_interactive() -> None:
    payload = render_slack(make_notice("webhooks|11200"), INTERACTIVE)

    assert buttons(payload) == [
        ("Silence 1h", "twilio_alerts.silence_1h"),
        ("Silence 24h", "twilio_alerts.silence_24h"),
        ("Acknowledge", "twilio_alerts.acknowledge"),
    ]
    assert {e["value"] for b in payload["blocks"] if b.get("block_id") == BLOCK_ID
            for e in b["elements"]} == {"key:webhooks|11200"}  # fmt: skip


def test_without_the_signing_secret_alerts_keep_only_link_buttons() -> None:
    payload = render_slack(make_notice(), RenderContext())

    assert buttons(payload) == []
    assert all("action_id" not in e for b in payload["blocks"] for e in b.get("elements", []))


@pytest.mark.parametrize("reason", [Reason.RESOLVED, Reason.REPLAY], ids=["resolved", "replay"])
def test_a_resolved_or_replayed_notice_offers_nothing_to_do(reason: Reason) -> None:
    assert buttons(render_slack(make_notice(reason=reason), INTERACTIVE)) == []


@given(st.text(min_size=1, max_size=MAX_KEY))
def test_buttons_of_any_group_key_stay_within_block_kit_limits(key: str) -> None:
    payload = render_slack(make_notice(key), INTERACTIVE)
    silenced = ButtonState(group_ref(key), silence_id=2**63 - 1, acknowledged=True)
    after = acted_message(payload, silenced, "Silenced for 24h by <@U1>, until 04:12 UTC")

    assert block_kit_errors(payload) == [] and block_kit_errors(after) == []
    [unsilence, unacknowledge] = [e for b in after["blocks"] if b.get("block_id") == BLOCK_ID
                                  for e in b["elements"]]  # fmt: skip
    assert parse_value(ButtonAction.UNSILENCE, unsilence["value"]) == (group_ref(key), 2**63 - 1)
    assert unacknowledge["value"] == group_ref(key)


def test_a_key_too_long_for_a_button_travels_as_its_hash() -> None:
    key = "webhooks|" + "x" * 3000

    ref = group_ref(key)

    assert len(ref) < 2000 and parse_ref(ref) == (None, key_hash(key))


def test_acting_replaces_buttons_and_the_previous_line_in_place() -> None:
    payload = render_slack(make_notice("webhooks|11200"), INTERACTIVE)
    first = acted_message(payload, ButtonState("key:webhooks|11200", 7), "Silenced by <@U1>")

    second = acted_message(first, ButtonState("key:webhooks|11200"), "Unsilenced by <@U2>")

    assert buttons(first)[0] == ("Unsilence", "twilio_alerts.unsilence")
    assert buttons(second)[:2] == [
        ("Silence 1h", "twilio_alerts.silence_1h"),
        ("Silence 24h", "twilio_alerts.silence_24h"),
    ]
    acted = [b for b in second["blocks"] if b.get("block_id") == "twilio_alerts.acted"]
    assert [b["elements"][0]["text"] for b in acted] == ["Unsilenced by <@U2>"]
    assert second["blocks"][: len(payload["blocks"]) - 1] == payload["blocks"][:-1]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("12 key:webhooks|11200", ("key:webhooks|11200", 12), id="id-then-group"),
        pytest.param("key:a b", ("key:a b", None), id="silence-buttons-carry-the-group-alone"),
    ],
)
def test_button_values_read_back(value: str, expected: tuple[str, int | None]) -> None:
    action = ButtonAction.UNSILENCE if expected[1] else ButtonAction.SILENCE_1H
    assert parse_value(action, value) == expected


def test_an_unsilence_value_without_its_silence_id_is_refused() -> None:
    with pytest.raises(ValueError, match="is not 'ID group'"):
        parse_value(ButtonAction.UNSILENCE, "key:webhooks")


def test_an_acknowledged_groups_message_keeps_saying_so_when_its_count_is_updated() -> None:
    payload = render_slack(make_notice(reason=Reason.NEW_IN_GROUP, acknowledged=True), INTERACTIVE)

    assert buttons(payload)[-1] == ("Unacknowledge", "twilio_alerts.unacknowledge")
    assert "Acknowledged: no repeat reminders" in str(payload["blocks"][-2])
