"""The one place that decides whether a delivery was sent, should be retried, or failed."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

import aiohttp
import aiosmtplib


@dataclass(frozen=True)
class Sent:
    ts: str | None = None
    # The channel ID Slack answered with: edits and replies must name it, not "#name".
    channel: str | None = None


@dataclass(frozen=True)
class Retry:
    after_seconds: float | None
    reason: str
    # The request may have reached the other side (a timeout, a dropped connection): before
    # posting again, look for the first try. Not part of equality: the reason says the same.
    unknown: bool = field(default=False, compare=False)


class Refusal(Enum):
    """Slack errors a sender acts on rather than only reports."""

    INVALID_BLOCKS = "invalid_blocks"
    MESSAGE_NOT_FOUND = "message_not_found"


@dataclass(frozen=True)
class Failed:
    reason: str
    refusal: Refusal | None = field(default=None, compare=False)


Outcome = Sent | Retry | Failed

SLACK_TRANSIENT = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
_MAX_DETAIL = 200


def classify_slack_api(status: int, body: Any, headers: Mapping[str, str]) -> Outcome:
    """A Slack Web API answer: `ok: true` is sent; 429, 5xx and transient errors are retried."""
    if status == 429:
        return Retry(retry_after(headers), "slack: rate limited (429)")
    if status >= 500:
        return Retry(None, f"slack: HTTP {status}")
    data = body if isinstance(body, Mapping) else {}
    if data.get("ok") is True and status == 200:
        return Sent(_text_or_none(data.get("ts")), _text_or_none(data.get("channel")))
    error = _detail(str(data.get("error") or f"HTTP {status} without an error"))
    if error in SLACK_TRANSIENT:
        return Retry(retry_after(headers), f"slack: {error}")
    return Failed(f"slack: {error}", _refusal(error))


def _text_or_none(value: Any) -> str | None:
    return str(value) if value is not None else None


def _refusal(error: str) -> Refusal | None:
    try:
        return Refusal(error)
    except ValueError:
        return None


def classify_webhook(status: int, text: str, headers: Mapping[str, str]) -> Outcome:
    """A Slack incoming-webhook answer: `200 ok`, or a status and a short error word."""
    if 200 <= status < 300:
        return Sent(None)
    if status == 429:
        return Retry(retry_after(headers), "slack webhook: rate limited (429)")
    if status >= 500:
        return Retry(None, f"slack webhook: HTTP {status}")
    # https://api.slack.com/messaging/webhooks#handling_errors: a 400 with the error word.
    return Failed(f"slack webhook: HTTP {status} {_detail(text)}".rstrip(), _refusal(text.strip()))


def classify_transport_error(exc: BaseException) -> Retry:
    """No HTTP answer at all (refused, reset, timed out): always worth another try. Only a
    refused connection proves the request never arrived; any other may have been acted on."""
    unknown = not isinstance(exc, aiohttp.ClientConnectorError)
    if isinstance(exc, TimeoutError):
        return Retry(None, "timed out", unknown=unknown)
    # The exception text of HTTP clients may carry the request URL, so only its kind is kept.
    return Retry(None, f"connection failed ({type(exc).__name__})", unknown=unknown)


def classify_smtp_error(exc: BaseException) -> Outcome:
    """An aiosmtplib failure: 4xx and lost connections are retried, 5xx, auth and TLS fail."""
    tls = _tls_error(exc)
    if tls is not None:
        detail = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or str(tls)
        return Failed(f"TLS failure: {_detail(detail)}")
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return Failed("SMTP authentication failed")
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in exc.recipients]
        return _by_smtp_code(max(codes, default=550), "all recipients refused")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _by_smtp_code(exc.code, exc.message)
    if isinstance(exc, TimeoutError):  # a reply too slow, or the send's total time exceeded
        detail = _detail(str(exc))
        return Retry(None, f"SMTP timed out: {detail}" if detail else "SMTP timed out")
    if isinstance(exc, OSError):
        return Retry(None, f"SMTP connection failed: {_detail(str(exc) or type(exc).__name__)}")
    return Failed(f"SMTP error: {_detail(str(exc) or type(exc).__name__)}")


def _by_smtp_code(code: int, message: str) -> Outcome:
    reason = f"SMTP {code}: {_detail(message)}"
    return Retry(None, reason) if 400 <= code < 500 else Failed(reason)


def _tls_error(exc: BaseException) -> ssl.SSLError | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a `Retry-After` header (any case); None when missing or not a number."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(float(value), 0.0)
            except ValueError:
                return None
    return None


def _detail(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return first_line[:_MAX_DETAIL]


def redact(outcome: Outcome, *secrets: str | None) -> Outcome:
    """The outcome with every secret in its reason replaced, whatever produced the reason."""
    if isinstance(outcome, Sent):
        return outcome
    reason = outcome.reason
    for secret in secrets:
        if secret:
            reason = reason.replace(secret, "[redacted]")
    return replace(outcome, reason=reason)
