"""Email to a receiver's addresses over SMTP_URL: threaded notices, one message per digest."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any

from notifier.delivery.channel import Checked
from notifier.delivery.outcome import Failed, Paced, SendResult
from notifier.delivery.smtp import SmtpConfig, security, send_email
from notifier.delivery.transports import Transports
from notifier.digest.build import DigestReport
from notifier.digest.email import render_digest_email
from notifier.notices import Notice
from notifier.render.context import RenderContext
from notifier.render.email import RenderedEmail, build_message, render_email
from notifier.render.escape import header
from notifier.rules.model import EmailConfig
from notifier.store.outbox import Delivery

PLACEHOLDER_FROM = "notifier@localhost"  # `notifier render` without EMAIL_FROM
TEST_SUBJECT = "twilio-alert-notifier test message"


class EmailChannel:
    lane = None  # SMTP servers are not paced

    def __init__(self, config: EmailConfig, receiver: str, transports: Transports) -> None:
        self.key = config.key
        self.config = config
        self._t = transports

    def render(self, notice: Notice, ctx: RenderContext) -> RenderedEmail:
        return render_email(notice, ctx, self.config.subject_prefix)

    def render_digest(self, report: DigestReport, ctx: RenderContext) -> dict[str, Any]:
        rendered = render_digest_email(report, ctx, self.config.subject_prefix)
        return dataclasses.asdict(rendered)

    def digest_message(self, payload: dict[str, Any]) -> RenderedEmail:
        return RenderedEmail(**payload)

    def message(self, rendered: RenderedEmail, sender: str | None = None) -> EmailMessage:
        sender = sender or self._t.settings.email_from or ""
        return build_message(rendered, sender, list(self.config.to))

    def show(self, message: RenderedEmail, *, html: bool) -> str:
        built = self.message(message, self._t.settings.email_from or PLACEHOLDER_FROM)
        headers = [f"{name}: {value}" for name, value in built.items() if name != "Content-Type"]
        parts = ["\n".join(headers), "", message.text.rstrip("\n")]
        if html:
            parts += ["", "--- HTML part ---", message.html.rstrip("\n")]
        return "\n".join(parts)

    async def send(self, delivery: Delivery, message: RenderedEmail) -> Paced:
        return await self._send(self.message(message))

    async def fold(self, deliveries: list[Delivery]) -> Paced:
        raise NotImplementedError("email is not paced, so never folded")

    async def check(self) -> Checked:
        smtp = self._t.smtp
        if isinstance(smtp, Failed):
            return Checked(smtp, "")  # nowhere: the settings are missing or wrong
        sender = self._t.settings.email_from or ""
        outcome = await self._send(check_message(sender, self.config.to))
        return Checked(outcome, f"{smtp.host}:{smtp.port} ({security(smtp)})")

    async def _send(self, message: EmailMessage) -> SendResult:
        smtp = self._t.smtp
        if not isinstance(smtp, SmtpConfig):
            return smtp
        return await send_email(smtp, message)


def check_message(sender: str, to: Sequence[str]) -> EmailMessage:
    """The message `notifier email test` sends."""
    message = EmailMessage()
    message["Subject"] = TEST_SUBJECT
    message["From"] = header(sender)
    message["To"] = ", ".join(header(address) for address in to)
    message.set_content("Email delivery from twilio-alert-notifier works.\n")
    return message
