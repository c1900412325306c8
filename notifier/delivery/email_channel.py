"""Delivering notices by email: render, build a threaded message, send over SMTP."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from notifier.channels.email import SmtpConfig, parse_smtp_url, send_email
from notifier.channels.result import Failed, Outcome
from notifier.errors import UserError
from notifier.render.email import RenderedEmail, build_message

log = logging.getLogger(__name__)


def smtp_config(smtp_url: str | None, email_from: str | None) -> SmtpConfig | Failed:
    """The SMTP settings, or why email cannot be sent (the reason never holds the password): a
    mistake in SMTP_URL fails the email receivers, never the others."""
    if not smtp_url:
        return Failed("SMTP_URL is not set")
    if not email_from:
        return Failed("EMAIL_FROM is not set")
    try:
        config = parse_smtp_url(smtp_url)
    except UserError as error:
        return Failed(str(error))
    if config.plain:
        # Host and port only: the URL may hold the password.
        log.warning(
            "SMTP_URL has tls=off: email to %s:%s is sent unencrypted, credentials included",
            config.host,
            config.port,
        )
    return config


async def send_rendered_email(
    config: SmtpConfig | Failed,
    sender: str | None,
    receiver_config: dict[str, Any],
    render: Callable[[str], RenderedEmail],
) -> Outcome:
    """Render with the receiver's subject prefix and send to its addresses: notices and
    digests alike."""
    if isinstance(config, Failed):
        return config
    to = [str(address) for address in receiver_config.get("to") or []]
    rendered = render(str(receiver_config.get("subject_prefix") or ""))
    return await send_email(config, build_message(rendered, sender or "", to))
