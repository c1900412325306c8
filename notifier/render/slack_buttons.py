"""The interactive buttons of a group's Slack message (Silence 1h, Silence 24h, Acknowledge and
their undoing), and the message as it reads after someone pressed one. Pure.

A button carries its group in its value (and Unsilence the silence it ends), so a click needs
nothing but what Slack sends back with it; the buttons shown after it follow the store.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

Block = dict[str, Any]

# https://api.slack.com/reference/block-kit/block-elements#button: value "Maximum length for
# this field is 2000 characters"; action_id and block_id 255.
MAX_BUTTON_VALUE = 2000
BLOCK_ID = "twilio_alerts.actions"
ACTED_BLOCK_ID = "twilio_alerts.acted"
_KEY, _HASH = "key:", "sha256:"
# Room left in a value for the silence ID an Unsilence button carries before its group.
_ID_ROOM = 21


class ButtonAction(StrEnum):
    """The `action_id` of each button: stable, Slack sends it back with every click."""

    SILENCE_1H = "twilio_alerts.silence_1h"
    SILENCE_24H = "twilio_alerts.silence_24h"
    ACKNOWLEDGE = "twilio_alerts.acknowledge"
    UNSILENCE = "twilio_alerts.unsilence"
    UNACKNOWLEDGE = "twilio_alerts.unacknowledge"


SILENCE_FOR: dict[ButtonAction, timedelta] = {
    ButtonAction.SILENCE_1H: timedelta(hours=1),
    ButtonAction.SILENCE_24H: timedelta(hours=24),
}
LABELS: dict[ButtonAction, str] = {
    ButtonAction.SILENCE_1H: "Silence 1h",
    ButtonAction.SILENCE_24H: "Silence 24h",
    ButtonAction.ACKNOWLEDGE: "Acknowledge",
    ButtonAction.UNSILENCE: "Unsilence",
    ButtonAction.UNACKNOWLEDGE: "Unacknowledge",
}


@dataclass(frozen=True)
class ButtonState:
    """What the buttons offer: `group` is the group reference (see `group_ref`)."""

    group: str
    silence_id: int | None = None
    acknowledged: bool = False


def group_ref(group_key: str) -> str:
    """The group as a button carries it: its key, or a hash of a key too long for a value
    (`notifier.pipeline.groups.bounded` keeps keys far shorter; this is the safety net)."""
    if len(_KEY) + len(group_key) <= MAX_BUTTON_VALUE - _ID_ROOM:
        return _KEY + group_key
    return _HASH + key_hash(group_key)


def key_hash(group_key: str) -> str:
    return hashlib.sha256(group_key.encode()).hexdigest()


def parse_ref(ref: str) -> tuple[str | None, str | None]:
    """(key, None) or (None, hash) from a reference; (None, None) when it is neither."""
    if ref.startswith(_KEY) and len(ref) > len(_KEY):
        return ref.removeprefix(_KEY), None
    if ref.startswith(_HASH) and len(ref) == len(_HASH) + 64:
        return None, ref.removeprefix(_HASH)
    return None, None


def buttons_block(state: ButtonState) -> Block:
    """Silence 1h / 24h or Unsilence, then Acknowledge or Unacknowledge."""
    if state.silence_id is None:
        silence = [_button(ButtonAction.SILENCE_1H, state.group)]
        silence.append(_button(ButtonAction.SILENCE_24H, state.group))
    else:
        value = f"{state.silence_id} {state.group}"
        silence = [_button(ButtonAction.UNSILENCE, value)]
    ack = ButtonAction.UNACKNOWLEDGE if state.acknowledged else ButtonAction.ACKNOWLEDGE
    return {
        "type": "actions",
        "block_id": BLOCK_ID,
        "elements": [*silence, _button(ack, state.group)],
    }


def group_blocks(group_key: str, *, acknowledged: bool) -> list[Block]:
    """What a group's message offers when rendered anew (each count update re-renders it): the
    buttons, and the acknowledgement of its cycle if there is one."""
    state = ButtonState(group_ref(group_key), acknowledged=acknowledged)
    if not acknowledged:
        return [buttons_block(state)]
    line = _acted("Acknowledged: no repeat reminders until it resolves")
    return [line, buttons_block(state)]


def _acted(line: str) -> Block:
    return {"type": "context", "block_id": ACTED_BLOCK_ID, "elements": [_mrkdwn(line)]}


def _button(action: ButtonAction, value: str) -> Block:
    return {
        "type": "button",
        "action_id": action.value,
        "text": {"type": "plain_text", "text": LABELS[action]},
        "value": value,
    }


def parse_value(action: ButtonAction, value: str) -> tuple[str, int | None]:
    """(group reference, silence ID) from a clicked button's value; ValueError if malformed."""
    if action is not ButtonAction.UNSILENCE:
        return value, None
    silence_id, _, ref = value.partition(" ")
    if not silence_id.isdigit() or not ref:
        raise ValueError(f"Unsilence value {value[:40]!r} is not 'ID group'")
    return ref, int(silence_id)


def acted_message(message: dict[str, Any], state: ButtonState, line: str) -> dict[str, Any]:
    """`message` with its buttons set to `state` and `line` (mrkdwn: who did what, until when)
    shown above them, in place of an earlier such line."""
    blocks = [
        b
        for b in message.get("blocks") or []
        if isinstance(b, dict) and b.get("block_id") not in (BLOCK_ID, ACTED_BLOCK_ID)
    ]
    text = str(message.get("text") or "")
    return {"text": text or line, "blocks": [*blocks, _acted(line), buttons_block(state)]}


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}
