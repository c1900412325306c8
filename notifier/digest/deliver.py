"""Sending a digest to its receivers: one message each (console, Slack, email), never edited.

A digest has no outbox row: a Slack 429, a channel's pace or an SMTP 4xx is waited out a few
times here, then the receiver's outcome is logged (and returned) as failed. One failing
receiver never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TextIO

from sqlalchemy import Engine

from notifier.channels.console import print_notice
from notifier.channels.email_delivery import send_rendered_email, smtp_config
from notifier.channels.pacing import Deferred, Paced, Pacer
from notifier.channels.result import Failed, Outcome, Retry, Sent
from notifier.channels.slack_delivery import SlackDelivery
from notifier.digest.build import DigestReport
from notifier.digest.email import render_digest_email
from notifier.digest.render import render_text
from notifier.digest.slack import render_digest_slack
from notifier.events import utcnow
from notifier.receivers import render_context
from notifier.render.context import RenderContext
from notifier.rules.model import Digest, Receiver, Rules
from notifier.settings import Settings

log = logging.getLogger(__name__)

ATTEMPTS = 4
MAX_WAIT_SECONDS = 30.0  # longest single wait for a Retry-After or a channel's turn


class DigestSender:
    """Delivers a built digest; callable as the clock's `send` (it runs its own event loop)."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        out: TextIO | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.out = out
        pacer = Pacer(engine, clock)
        self.slack = SlackDelivery(engine, settings.slack_bot_token, settings.slack_api_url, pacer)

    def __call__(self, report: DigestReport, digest: Digest, rules: Rules) -> dict[str, Outcome]:
        return asyncio.run(self.send(report, digest, rules))

    async def send(self, report: DigestReport, digest: Digest, rules: Rules) -> dict[str, Outcome]:
        """Each receiver's outcome, by name."""
        ctx = render_context(rules)
        outcomes: dict[str, Outcome] = {}
        try:
            for name in digest.receivers:
                receiver = rules.receivers.get(name)
                if receiver is None:
                    outcome: Outcome = Failed(f'unknown receiver "{name}"')
                else:
                    outcome = await self._send_one(report, receiver, ctx)
                _log(digest, name, outcome)
                outcomes[name] = outcome
        finally:
            await self.slack.aclose()  # its session belongs to this call's event loop
        return outcomes

    async def _send_one(
        self, report: DigestReport, receiver: Receiver, ctx: RenderContext
    ) -> Outcome:
        if receiver.kind == "console":
            return print_notice(render_text(report, ctx), self.out)
        if receiver.kind == "slack":
            payload = render_digest_slack(report, ctx)
            return await _patiently(lambda: self.slack.post(receiver, payload))
        if receiver.kind == "email":
            return await _patiently(lambda: self._email(report, receiver, ctx))
        return Failed(f"receivers of kind {receiver.kind!r} cannot take a digest")

    async def _email(self, report: DigestReport, receiver: Receiver, ctx: RenderContext) -> Outcome:
        return await send_rendered_email(
            smtp_config(self.settings.smtp_url, self.settings.email_from),
            self.settings.email_from,
            receiver.config,
            lambda prefix: render_digest_email(report, ctx, prefix),
        )


async def _patiently(attempt: Callable[[], Awaitable[Paced]]) -> Outcome:
    """Wait out deferrals and retryable failures a few times; then it has failed."""
    for number in range(ATTEMPTS):
        outcome = await attempt()
        if isinstance(outcome, Sent | Failed):
            return outcome
        if number == ATTEMPTS - 1:
            return Failed(f"gave up after {ATTEMPTS} attempts: {outcome.reason}")
        await asyncio.sleep(min(_wait(outcome, number), MAX_WAIT_SECONDS))
    raise AssertionError("unreachable")


def _wait(outcome: Retry | Deferred, number: int) -> float:
    if outcome.after_seconds is not None:
        return outcome.after_seconds
    return float(2**number)  # 1, 2, 4 s


def _log(digest: Digest, name: str, outcome: Outcome) -> None:
    if isinstance(outcome, Sent):
        log.info("digest %s: sent to %s", digest.name, name)
    else:
        log.warning("digest %s: not sent to %s: %s", digest.name, name, outcome)
