"""What both Slack channel kinds do with a payload they send: fall back to plain text."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from notifier.delivery.outcome import Failed, Refusal, SendResult
from notifier.render.block_kit import plain_version

log = logging.getLogger(__name__)

Payload = dict[str, Any]
Send = Callable[[Payload], Awaitable[SendResult]]


def show_payload(payload: Payload) -> str:
    # ASCII JSON: exact for Block Kit Builder, and no DEL, C1 or bidi control from Twilio's
    # text reaches the terminal raw (json.dumps escapes only C0 otherwise).
    return json.dumps(payload, indent=2)


async def with_plain_fallback(send: Send, payload: Payload) -> SendResult:
    """Sends `payload`; if Slack still refuses its blocks, sends it as plain text instead."""
    outcome = await send(payload)
    if isinstance(outcome, Failed) and outcome.refusal is Refusal.INVALID_BLOCKS:
        log.warning("Slack refused the blocks of a message (%s): sending it as text", outcome)
        return await send(plain_version(payload))
    return outcome
