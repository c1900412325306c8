"""Requests signed exactly as Slack signs them
(https://api.slack.com/authentication/verifying-requests-from-slack): HMAC-SHA256 of
`v0:{timestamp}:{body}` with the app's signing secret, hex, prefixed `v0=`."""

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def signed_headers(body: bytes, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if at is None else at))
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def click_body(
    button: dict[str, Any],
    message: dict[str, Any],
    response_url: str,
    user: str = "U123ABC",
    name: str = "alice",
) -> bytes:
    """A block_actions payload for a press of `button` on `message` (its `ts` and channel), as
    https://api.slack.com/reference/interaction-payloads/block-actions shows it."""
    channel = str(message.get("channel_id", "C0000000000"))
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": name, "name": name, "team_id": "T0001"},
        "api_app_id": "A0001",
        "team": {"id": "T0001", "domain": "example"},
        "container": {
            "type": "message",
            "message_ts": message.get("ts"),
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "channel": {"id": channel, "name": "alerts"},
        "message": {
            "type": "message",
            "ts": message.get("ts"),
            "text": message.get("text"),
            "blocks": message.get("blocks"),
        },
        "response_url": response_url,
        "trigger_id": "1.2.3",
        "actions": [
            {
                "type": "button",
                "block_id": "twilio_alerts.actions",
                "action_id": button["action_id"],
                "value": button.get("value"),
                "text": button["text"],
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def command_body(text: str, response_url: str, user: str = "U123ABC", name: str = "alice") -> bytes:
    """A slash command request (https://api.slack.com/interactivity/slash-commands)."""
    fields = {
        "token": "deprecated-verification-token",
        "team_id": "T0001",
        "team_domain": "example",
        "channel_id": "C0000000001",
        "channel_name": "alerts",
        "user_id": user,
        "user_name": name,
        "command": "/twilio-alerts",
        "text": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        "api_app_id": "A0001",
        "response_url": response_url,
        "trigger_id": "1.2.3",
    }
    return urlencode(fields).encode()
