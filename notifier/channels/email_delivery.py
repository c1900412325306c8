"""Delivering notices by email: render, build a threaded message, send over SMTP."""

from __future__ import annotations

from typing import Any

from notifier.channels.email import SmtpConfig, parse_smtp_url, send_email
from notifier.channels.result import Failed, Outcome
from notifier.render.context import RenderContext
from notifier.render.email import build_message, render_email
from notifier.store.outbox import Delivery


def smtp_config(smtp_url: str | None, email_from: str | None) -> SmtpConfig | Failed:
    """The SMTP settings, or why email cannot be sent (the reason never holds the password)."""
    if not smtp_url:
        return Failed("SMTP_URL is not set")
    if not email_from:
        return Failed("EMAIL_FROM is not set")
    try:
        return parse_smtp_url(smtp_url)
    except ValueError as error:
        return Failed(str(error))


async def send_notice_email(
    delivery: Delivery,
    config: SmtpConfig | Failed,
    sender: str | None,
    receiver_config: dict[str, Any],
    ctx: RenderContext,
) -> Outcome:
    if isinstance(config, Failed):
        return config
    to = [str(address) for address in receiver_config.get("to") or []]
    prefix = str(receiver_config.get("subject_prefix") or "")
    rendered = render_email(delivery.notice, ctx, prefix)
    return await send_email(config, build_message(rendered, sender or "", to))
