"""What both Slack channel kinds share: Block Kit rendering, and plain text when Slack refuses
the blocks."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from notifier.delivery.outcome import Failed, Refusal, SendResult
from notifier.digest.block_kit import render_digest_slack
from notifier.digest.build import DigestReport
from notifier.notices import Notice
from notifier.render.block_kit import plain_version, render_slack
from notifier.render.context import RenderContext

log = logging.getLogger(__name__)

Payload = dict[str, Any]
# What `slack test`, `email test` and `doctor --send-test` post to a Slack channel.
TEST_TEXT = "Test message from twilio-alert-notifier: Slack delivery works."
Send = Callable[[Payload], Awaitable[SendResult]]


class BlockKitMessages:
    """How both Slack channel kinds render: alerts and digests as Block Kit payloads."""

    def render(self, notice: Notice, ctx: RenderContext) -> Payload:
        return render_slack(notice, ctx)

    def render_digest(self, report: DigestReport, ctx: RenderContext) -> dict[str, Any]:
        return render_digest_slack(report, ctx)

    def digest_message(self, payload: dict[str, Any]) -> Payload:
        return payload

    def show(self, message: Payload, *, html: bool) -> str:
        # ASCII JSON: exact for Block Kit Builder, and no DEL, C1 or bidi control from Twilio's
        # text reaches the terminal raw (json.dumps escapes only C0 otherwise).
        return json.dumps(message, indent=2)


async def with_plain_fallback(send: Send, payload: Payload) -> SendResult:
    """Sends `payload`; if Slack still refuses its blocks, sends it as plain text instead."""
    outcome = await send(payload)
    if isinstance(outcome, Failed) and outcome.refusal is Refusal.INVALID_BLOCKS:
        log.warning("Slack refused the blocks of a message (%s): sending it as text", outcome)
        return await send(plain_version(payload))
    return outcome
