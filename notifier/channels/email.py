"""Sending email over SMTP with aiosmtplib: STARTTLS or implicit TLS, verified certificates."""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

from notifier.channels.result import Outcome, Sent, classify_smtp_error, redact

_DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    implicit_tls: bool = False
    # True: STARTTLS or fail; None: STARTTLS when offered (loopback relays only).
    start_tls: bool | None = True
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)


def parse_smtp_url(url: str) -> SmtpConfig:
    """`smtp://user:pass@host:587` (STARTTLS) or `smtps://user:pass@host:465` (implicit TLS)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {scheme or 'nothing'}")
    try:
        host, port = parts.hostname, parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        # The message of urlsplit would quote the text it failed on, possibly the password.
        raise ValueError("SMTP_URL has a port that is not a number from 0 to 65535") from None
    if not host:
        raise ValueError("SMTP_URL has no host name")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if username and password is None:
        raise ValueError(f"SMTP_URL names user {username!r} but gives no password")
    implicit = scheme == "smtps"
    return SmtpConfig(
        host=host,
        port=port,
        username=username,
        password=password,
        implicit_tls=implicit,
        start_tls=False if implicit else (None if _is_loopback(host) else True),
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def send_email(config: SmtpConfig, message: EmailMessage, timeout: float = 10.0) -> Outcome:
    """Deliver one message; the outcome's reason never contains the SMTP password."""
    try:
        await aiosmtplib.send(
            message,
            hostname=config.host,
            port=config.port,
            username=config.username,
            password=config.password,
            use_tls=config.implicit_tls,
            start_tls=config.start_tls,
            tls_context=config.ssl_context,
            timeout=timeout,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        return redact(classify_smtp_error(exc), config.password)
    return Sent()
