"""The requests Slack sends, read into typed values or refused with a reason (400, never 500).
Pure.

Interactivity: a form with one field, `payload`, holding JSON
(https://api.slack.com/reference/interaction-payloads/block-actions). Slash commands: a form
with `command`, `text`, `user_id`, `user_name`, `channel_id`, `response_url`
(https://api.slack.com/interactivity/slash-commands#app_command_handling).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from notifier.render.slack_buttons import ButtonAction, parse_value


class PayloadError(ValueError):
    """What is wrong with a request Slack signed but the bot cannot read."""


@dataclass(frozen=True)
class Who:
    user_id: str
    user_name: str

    @property
    def actor_name(self) -> str:
        """How the audit names a Slack user: `U123ABC (alice)`."""
        return f"{self.user_id} ({self.user_name})" if self.user_name else self.user_id


@dataclass(frozen=True)
class Click:
    """One press of one of our buttons; `action` None: a button of another kind (a link
    button also reports its click), acknowledged and otherwise ignored."""

    who: Who
    action: ButtonAction | None
    group: str  # the group reference the button carries (see render.slack_buttons.group_ref)
    silence_id: int | None  # Unsilence: the silence to end
    response_url: str
    message: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SlashCommand:
    who: Who
    text: str
    response_url: str


def form(body: bytes) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body; each field's first value."""
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise PayloadError("the body is not UTF-8") from None
    return {name: values[0] for name, values in fields.items()}


def parse_click(body: bytes) -> Click | None:
    """The click a block_actions payload reports; None for another interaction type."""
    raw = form(body).get("payload")
    if raw is None:
        raise PayloadError("no 'payload' field")
    try:
        payload = json.loads(raw)
    except ValueError:
        raise PayloadError("'payload' is not JSON") from None
    if not isinstance(payload, dict):
        raise PayloadError("'payload' is not a JSON object")
    if payload.get("type") != "block_actions":
        return None
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise PayloadError("block_actions without 'actions'")
    action_id = str(actions[0].get("action_id", ""))
    action = ButtonAction(action_id) if action_id in set(ButtonAction) else None
    group, silence_id = _value(action, actions[0].get("value"))
    message = payload.get("message")
    return Click(
        who=_who(payload.get("user")),
        action=action,
        group=group,
        silence_id=silence_id,
        response_url=_response_url(payload.get("response_url")),
        message=message if isinstance(message, dict) else {},
    )


def _value(action: ButtonAction | None, value: Any) -> tuple[str, int | None]:
    if action is None:
        return "", None
    if not isinstance(value, str) or not value:
        raise PayloadError(f"button {action.value} without a value")
    try:
        return parse_value(action, value)
    except ValueError as error:
        raise PayloadError(str(error)) from None


def parse_command(body: bytes) -> SlashCommand:
    fields = form(body)
    user_id = fields.get("user_id", "")
    if not user_id:
        raise PayloadError("no 'user_id' field")
    who = Who(user_id, fields.get("user_name", ""))
    return SlashCommand(who, fields.get("text", ""), _response_url(fields.get("response_url")))


def _who(user: Any) -> Who:
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
        raise PayloadError("no 'user.id'")
    name = user.get("username") or user.get("name") or ""
    return Who(user["id"], str(name))


def _response_url(url: Any) -> str:
    # Signed by Slack, so trusted; still, only an http(s) URL is one to post to.
    if not isinstance(url, str) or urlsplit(url).scheme not in ("https", "http"):
        raise PayloadError("no 'response_url'")
    return url
