import ssl
from types import SimpleNamespace
from typing import Any

import aiohttp
import aiosmtplib
import pytest

from notifier.delivery.classify import (
    classify_slack_api,
    classify_smtp_error,
    classify_transport_error,
    classify_webhook,
    redact,
)
from notifier.delivery.outcome import Failed, Refusal, Retry, SendResult, Sent


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (200, {"ok": True, "ts": "1.2"}, {}, Sent("1.2")),
        (
            429,
            {"ok": False, "error": "ratelimited"},
            {"Retry-After": "12"},
            Retry(12.0, "slack: rate limited (429)"),
        ),
        (429, {}, {"retry-after": "soon"}, Retry(None, "slack: rate limited (429)")),
        (500, "<html>", {}, Retry(None, "slack: HTTP 500")),
        (503, {}, {}, Retry(None, "slack: HTTP 503")),
        (
            200,
            {"ok": False, "error": "ratelimited"},
            {"Retry-After": "3"},
            Retry(3.0, "slack: ratelimited"),
        ),
        (200, {"ok": False, "error": "internal_error"}, {}, Retry(None, "slack: internal_error")),
        (200, {"ok": False, "error": "invalid_auth"}, {}, Failed("slack: invalid_auth")),
        (200, {"ok": False, "error": "token_revoked"}, {}, Failed("slack: token_revoked")),
        (200, {"ok": False, "error": "channel_not_found"}, {}, Failed("slack: channel_not_found")),
        (200, {"ok": False, "error": "msg_too_long"}, {}, Failed("slack: msg_too_long")),
        (200, {"ok": False, "error": "brand_new_error"}, {}, Failed("slack: brand_new_error")),
        (404, {}, {}, Failed("slack: HTTP 404 without an error")),
    ],
    ids=[
        "ok-sent-with-ts",
        "429-retries-after-header",
        "429-bad-header-retries-soon",
        "500-html-retries",
        "503-retries",
        "ratelimited-body-retries",
        "internal-error-retries",
        "invalid-auth-fails",
        "token-revoked-fails",
        "channel-not-found-fails",
        "msg-too-long-fails",
        "unknown-error-fails",
        "404-fails",
    ],
)
def test_slack_api_answer_is_classified(
    status: int, body: Any, headers: dict[str, str], expected: SendResult
) -> None:
    assert classify_slack_api(status, body, headers) == expected


@pytest.mark.parametrize(
    ("status", "text", "headers", "expected"),
    [
        (200, "ok", {}, Sent(None)),
        (429, "", {"Retry-After": "30"}, Retry(30.0, "slack webhook: rate limited (429)")),
        (500, "", {}, Retry(None, "slack webhook: HTTP 500")),
        (400, "invalid_payload", {}, Failed("slack webhook: HTTP 400 invalid_payload")),
        (403, "", {}, Failed("slack webhook: HTTP 403")),
        (404, "no_service\nmore", {}, Failed("slack webhook: HTTP 404 no_service")),
        (410, "channel_is_archived", {}, Failed("slack webhook: HTTP 410 channel_is_archived")),
    ],
    ids=[
        "200-sent",
        "429-retries-after",
        "5xx-retries",
        "400-fails",
        "403-fails",
        "404-fails-first-line",
        "410-fails",
    ],
)
def test_webhook_answer_is_classified(
    status: int, text: str, headers: dict[str, str], expected: SendResult
) -> None:
    assert classify_webhook(status, text, headers) == expected


def tls_error_during_connect() -> BaseException:
    try:
        raise ssl.SSLCertVerificationError(1, "certificate verify failed")
    except ssl.SSLError as cause:
        error = aiosmtplib.SMTPConnectError("Error connecting to mail.example.com on port 587")
        error.__cause__ = cause
        return error


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (aiosmtplib.SMTPResponseException(451, "try later"), Retry(None, "SMTP 451: try later")),
        (aiosmtplib.SMTPDataError(554, "rejected"), Failed("SMTP 554: rejected")),
        (aiosmtplib.SMTPConnectResponseError(421, "busy"), Retry(None, "SMTP 421: busy")),
        (
            aiosmtplib.SMTPAuthenticationError(535, "bad user x"),
            Failed("SMTP authentication failed"),
        ),
        (
            aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(550, "no", "a@b")]),
            Failed("SMTP 550: all recipients refused"),
        ),
        (
            ConnectionRefusedError(111, "Connection refused"),
            Retry(None, "SMTP connection failed: [Errno 111] Connection refused"),
        ),
        (aiosmtplib.SMTPServerDisconnected("gone"), Retry(None, "SMTP connection failed: gone")),
        (
            aiosmtplib.SMTPReadTimeoutError("Timed out"),
            Retry(None, "SMTP timed out: Timed out"),
        ),
        (TimeoutError(), Retry(None, "SMTP timed out")),
        (
            ssl.SSLCertVerificationError(1, "self-signed certificate"),
            Failed("TLS failure: self-signed certificate"),
        ),
        (tls_error_during_connect(), Failed("TLS failure: certificate verify failed")),
        (
            aiosmtplib.SMTPNotSupported("STARTTLS extension not supported"),
            Failed("SMTP error: STARTTLS extension not supported"),
        ),
    ],
    ids=[
        "4xx-retries",
        "5xx-fails",
        "4xx-greeting-retries",
        "auth-fails-without-details",
        "all-recipients-5xx-fails",
        "refused-retries",
        "disconnect-retries",
        "timeout-retries",
        "bare-timeout-retries",
        "bad-certificate-fails",
        "tls-cause-fails",
        "no-starttls-fails",
    ],
)
def test_smtp_error_is_classified(exc: BaseException, expected: SendResult) -> None:
    assert classify_smtp_error(exc) == expected


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (TimeoutError(), Retry(None, "timed out")),
        (
            ConnectionResetError("http://hooks/secret"),
            Retry(None, "connection failed (ConnectionResetError)"),
        ),
    ],
    ids=["timeout-retries", "error-text-with-url-is-dropped"],
)
def test_transport_error_retries_without_the_exception_text(
    exc: BaseException, expected: SendResult
) -> None:
    assert classify_transport_error(exc) == expected


def test_redact_replaces_every_secret_and_keeps_sent_as_is() -> None:
    assert redact(Failed("a xoxb-1 b https://h/s"), "xoxb-1", None, "https://h/s") == Failed(
        "a [redacted] b [redacted]"
    )
    assert redact(Sent("1.2"), "1.2") == Sent("1.2")


def test_sent_keeps_the_channel_id_slack_answered_with() -> None:
    answer = {"ok": True, "ts": "1.2", "channel": "C0123ABCD"}
    assert classify_slack_api(200, answer, {}) == Sent("1.2", "C0123ABCD")


@pytest.mark.parametrize(
    ("outcome", "refusal"),
    [
        (classify_slack_api(200, {"ok": False, "error": "invalid_blocks"}, {}), "INVALID_BLOCKS"),
        (classify_webhook(400, "invalid_blocks", {}), "INVALID_BLOCKS"),
        (
            classify_slack_api(200, {"ok": False, "error": "message_not_found"}, {}),
            "MESSAGE_NOT_FOUND",
        ),
        (
            classify_slack_api(200, {"ok": False, "error": "channel_not_found"}, {}),
            "CHANNEL_NOT_FOUND",
        ),
        (classify_slack_api(200, {"ok": False, "error": "no_text"}, {}), None),
        (classify_smtp_error(aiosmtplib.SMTPResponseException(550, "no")), None),
    ],
    ids=[
        "api-invalid-blocks",
        "webhook-invalid-blocks",
        "message-not-found",
        "channel-not-found",
        "others-none",
        "smtp-codes-none",
    ],
)
def test_refusals_callers_act_on_or_explain_are_named_by_an_enum(
    outcome: SendResult, refusal: str | None
) -> None:
    assert isinstance(outcome, Failed)
    assert outcome.refusal is (Refusal[refusal] if refusal else None)


@pytest.mark.parametrize(
    ("exc", "unknown"),
    [
        (TimeoutError(), True),
        (aiohttp.ServerDisconnectedError(), True),
        (aiohttp.ClientConnectorError(SimpleNamespace(ssl=None), OSError(111, "refused")), False),  # type: ignore[arg-type]
    ],
    ids=["timeout-may-have-arrived", "disconnect-may-have-arrived", "refused-never-arrived"],
)
def test_transport_error_says_whether_the_request_may_have_arrived(
    exc: BaseException, unknown: bool
) -> None:
    assert classify_transport_error(exc).unknown is unknown


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (classify_slack_api(200, {"ok": False, "error": "not_in_channel"}, {}), "not_in_channel"),
        (classify_slack_api(429, {}, {"Retry-After": "3"}), "ratelimited"),
        (classify_webhook(404, "no_service", {}), "no_service"),
        (classify_smtp_error(aiosmtplib.SMTPResponseException(451, "later")), "451"),
        (classify_smtp_error(aiosmtplib.SMTPResponseException(550, "no such user")), "550"),
        (classify_transport_error(TimeoutError()), "no_answer"),
    ],
    ids=["slack-error-word", "slack-429", "webhook-word", "smtp-4xx", "smtp-5xx", "no-answer"],
)
def test_every_failure_carries_the_other_sides_code(outcome: SendResult, code: str) -> None:
    assert not isinstance(outcome, Sent)
    assert outcome.code == code
