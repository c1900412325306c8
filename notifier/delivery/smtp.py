"""Sending email over SMTP with aiosmtplib: STARTTLS or implicit TLS, verified certificates."""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import parse_qsl, unquote, urlsplit

import aiosmtplib

from notifier.addresses import is_loopback
from notifier.delivery.classify import classify_smtp_error, redact
from notifier.delivery.outcome import Failed, Refusal, SendResult, Sent
from notifier.errors import UserError
from notifier.events import utcnow
from notifier.render.email import DOMAIN

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
_TLS_OPTION = {"on": True, "off": False}
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    implicit_tls: bool = False
    # True: STARTTLS or fail; None: STARTTLS when offered (loopback relays only); False: never.
    start_tls: bool | None = True
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)
    # Seconds for a whole send, from connecting to QUIT.
    timeout: float = DEFAULT_TIMEOUT

    @property
    def plain(self) -> bool:
        """Sends without TLS however the server answers (`?tls=off`)."""
        return not self.implicit_tls and self.start_tls is False


def parse_smtp_url(url: str) -> SmtpConfig:
    """`smtp://user:pass@host:587` (STARTTLS), `smtps://user:pass@host:465` (implicit TLS), or
    `smtp://relay:25?tls=off` (no TLS: a relay inside a private network)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise UserError(f"SMTP_URL must start with smtp:// or smtps://, not {scheme or 'nothing'}")
    try:
        host, port = parts.hostname, parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        # The message of urlsplit would quote the text it failed on, possibly the password.
        raise UserError("SMTP_URL has a port that is not a number from 0 to 65535") from None
    if not host:
        raise UserError("SMTP_URL has no host name")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if username and password is None:
        raise UserError(f"SMTP_URL names user {username!r} but gives no password")
    implicit = scheme == "smtps"
    tls = _tls_option(parts.query, implicit)
    return SmtpConfig(
        host=host,
        port=port,
        username=username,
        password=password,
        implicit_tls=implicit,
        start_tls=False if implicit or not tls else (None if is_loopback(host) else True),
    )


def _tls_option(query: str, implicit: bool) -> bool:
    """The `tls` option of SMTP_URL's query: on (the default) or off."""
    tls = True
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name != "tls":
            raise UserError(f"SMTP_URL has an unknown option {name!r} (known: tls)")
        if value.lower() not in _TLS_OPTION:
            raise UserError(f"SMTP_URL option tls must be on or off, not {value!r}")
        tls = _TLS_OPTION[value.lower()]
    if implicit and not tls:
        raise UserError(
            "SMTP_URL: smtps:// always uses TLS; for a plain relay use smtp://...?tls=off"
        )
    return tls


async def send_email(
    config: SmtpConfig, message: EmailMessage, clock: Callable[[], datetime] = utcnow
) -> SendResult:
    """Deliver one message within `config.timeout`; the outcome's reason never contains the
    SMTP password."""
    _stamp(message, clock())
    try:
        async with asyncio.timeout(config.timeout):
            await aiosmtplib.send(
                message,
                hostname=config.host,
                port=config.port,
                username=config.username,
                password=config.password,
                use_tls=config.implicit_tls,
                start_tls=config.start_tls,
                tls_context=config.ssl_context,
            )
    except (aiosmtplib.SMTPException, OSError) as exc:
        return redact(classify_smtp_error(exc), config.password)
    return Sent()


async def probe_smtp(config: SmtpConfig) -> SendResult:
    """Everything a send does but the mail (connect, EHLO, TLS as configured, login, QUIT),
    within `config.timeout`; the outcome's reason never contains the SMTP password."""
    client = aiosmtplib.SMTP(
        hostname=config.host,
        port=config.port,
        use_tls=config.implicit_tls,
        start_tls=False,  # below, so that a server without STARTTLS is told apart
        tls_context=config.ssl_context,
        timeout=config.timeout,
    )
    try:
        async with asyncio.timeout(config.timeout):
            await client.connect()
            if not await _start_tls(config, client):
                return Failed("the server does not offer STARTTLS", Refusal.NOT_SUPPORTED.value)
            if config.username:
                await client.login(config.username, config.password or "")
            await client.quit()
    except (aiosmtplib.SMTPException, OSError) as exc:
        return redact(classify_smtp_error(exc), config.password)
    finally:
        client.close()
    return Sent()


async def _start_tls(config: SmtpConfig, client: aiosmtplib.SMTP) -> bool:
    """STARTTLS as `config` asks (required, when offered, or never); False: required and
    not offered, which aiosmtplib reports only as a plain SMTPException."""
    if config.implicit_tls or config.start_tls is False:
        return True
    await client.ehlo()
    if client.supports_extension("starttls"):
        await client.starttls()
        return True
    return config.start_tls is None


def _stamp(message: EmailMessage, now: datetime) -> None:
    """RFC 5322 section 3.6 requires `Date` (the moment the message is handed to the mail system)
    and wants a `Message-ID`; a message built without one gets it here."""
    if "Date" not in message:
        message["Date"] = format_datetime(now)
    if "Message-ID" not in message:
        message["Message-ID"] = make_msgid(domain=DOMAIN)


def smtp_config(smtp_url: str | None, email_from: str | None) -> SmtpConfig | Failed:
    """The SMTP settings, or why email cannot be sent (the reason never holds the password): a
    mistake in SMTP_URL fails the email receivers, never the others."""
    unset = Refusal.NOT_CONFIGURED.value
    if not smtp_url:
        return Failed("SMTP_URL is not set", unset)
    if not email_from:
        return Failed("EMAIL_FROM is not set", unset)
    try:
        config = parse_smtp_url(smtp_url)
    except UserError as error:
        return Failed(str(error), unset)
    if config.plain:
        # Host and port only: the URL may hold the password.
        log.warning(
            "SMTP_URL has tls=off: email to %s:%s is sent unencrypted, credentials included",
            config.host,
            config.port,
        )
    return config


def security(config: SmtpConfig) -> str:
    """How a send to this server is protected, in words."""
    if config.implicit_tls:
        return "implicit TLS"
    if config.plain:
        return "no TLS: tls=off"
    if config.start_tls:
        return "STARTTLS required"
    return "STARTTLS when offered, loopback"
