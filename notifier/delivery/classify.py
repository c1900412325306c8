"""The one place that decides whether a delivery was sent, should be retried, or failed."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import aiohttp
import aiosmtplib

from notifier.delivery.outcome import Failed, Refusal, Retry, SendResult, Sent

SLACK_TRANSIENT = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
_MAX_DETAIL = 200
RATELIMITED, NO_ANSWER = Refusal.RATELIMITED.value, Refusal.NO_ANSWER.value


def classify_slack_api(status: int, body: Any, headers: Mapping[str, str]) -> SendResult:
    """A Slack Web API answer: `ok: true` is sent; 429, 5xx and transient errors are retried."""
    if status == 429:
        return Retry(retry_after(headers), "slack: rate limited (429)", code=RATELIMITED)
    if status >= 500:
        return Retry(None, f"slack: HTTP {status}", code=str(status))
    data = body if isinstance(body, Mapping) else {}
    if data.get("ok") is True and status == 200:
        return Sent(_text_or_none(data.get("ts")), _text_or_none(data.get("channel")))
    error = _detail(str(data.get("error") or f"HTTP {status} without an error"))
    if error in SLACK_TRANSIENT:
        return Retry(retry_after(headers), f"slack: {error}", code=error)
    return Failed(f"slack: {error}", error)


def _text_or_none(value: Any) -> str | None:
    return str(value) if value is not None else None


def classify_webhook(status: int, text: str, headers: Mapping[str, str]) -> SendResult:
    """A Slack incoming-webhook answer: `200 ok`, or a status and a short error word."""
    if 200 <= status < 300:
        return Sent(None)
    if status == 429:
        return Retry(retry_after(headers), "slack webhook: rate limited (429)", code=RATELIMITED)
    if status >= 500:
        return Retry(None, f"slack webhook: HTTP {status}", code=str(status))
    # https://api.slack.com/messaging/webhooks#handling_errors: a 400 with the error word.
    word = _detail(text).strip()
    return Failed(f"slack webhook: HTTP {status} {word}".rstrip(), word or str(status))


def classify_transport_error(exc: BaseException) -> Retry:
    """No HTTP answer at all (refused, reset, timed out): always worth another try. Only a
    refused connection proves the request never arrived; any other may have been acted on."""
    unknown = not isinstance(exc, aiohttp.ClientConnectorError)
    if isinstance(exc, TimeoutError):
        return Retry(None, "timed out", unknown=unknown, code=NO_ANSWER)
    # The exception text of HTTP clients may carry the request URL, so only its kind is kept.
    reason = f"connection failed ({type(exc).__name__})"
    return Retry(None, reason, unknown=unknown, code=NO_ANSWER)


def classify_smtp_error(exc: BaseException) -> SendResult:
    """An aiosmtplib failure: 4xx and lost connections are retried, 5xx, auth and TLS fail."""
    tls = _tls_error(exc)
    if tls is not None:
        detail = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or str(tls)
        return Failed(f"TLS failure: {_detail(detail)}", Refusal.TLS_FAILED.value)
    if isinstance(exc, aiosmtplib.SMTPNotSupported):  # STARTTLS or AUTH asked, not offered
        reason = f"SMTP error: {_detail(str(exc))}"
        return Failed(reason, Refusal.NOT_SUPPORTED.value)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return Failed("SMTP authentication failed", "535")
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in exc.recipients]
        return _by_smtp_code(max(codes, default=550), "all recipients refused")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _by_smtp_code(exc.code, exc.message)
    if isinstance(exc, TimeoutError):  # a reply too slow, or the send's total time exceeded
        detail = _detail(str(exc))
        reason = f"SMTP timed out: {detail}" if detail else "SMTP timed out"
        return Retry(None, reason, code=NO_ANSWER)
    if isinstance(exc, OSError):
        reason = f"SMTP connection failed: {_detail(str(exc) or type(exc).__name__)}"
        return Retry(None, reason, code=NO_ANSWER)
    return Failed(f"SMTP error: {_detail(str(exc) or type(exc).__name__)}")


def _by_smtp_code(code: int, message: str) -> SendResult:
    reason = f"SMTP {code}: {_detail(message)}"
    return Retry(None, reason, code=str(code)) if 400 <= code < 500 else Failed(reason, str(code))


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


def redact(outcome: SendResult, *secrets: str | None) -> SendResult:
    """The outcome with every secret in its reason replaced, whatever produced the reason."""
    if isinstance(outcome, Sent):
        return outcome
    reason = outcome.reason
    for secret in secrets:
        if secret:
            reason = reason.replace(secret, "[redacted]")
    return replace(outcome, reason=reason)
