"""What one send led to: sent, retry (with when), failed (with why and the other side's code),
or deferred to its channel's turn. Built only by classify.py and pacing.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class Sent:
    ts: str | None = None
    # The channel ID Slack answered with: edits and replies must name it, not "#name".
    channel: str | None = None


class Refusal(Enum):
    """Error codes (Slack's error words, SMTP's reply classes) that callers act on or explain;
    any other code is kept as text in `Failed.code`."""

    INVALID_BLOCKS = "invalid_blocks"
    MESSAGE_NOT_FOUND = "message_not_found"
    INVALID_AUTH = "invalid_auth"
    NOT_AUTHED = "not_authed"
    TOKEN_REVOKED = "token_revoked"
    ACCOUNT_INACTIVE = "account_inactive"
    NOT_IN_CHANNEL = "not_in_channel"
    CHANNEL_NOT_FOUND = "channel_not_found"
    IS_ARCHIVED = "is_archived"
    MISSING_SCOPE = "missing_scope"
    RATELIMITED = "ratelimited"
    NO_ANSWER = "no_answer"  # timed out or no connection: nothing answered
    NOT_CONFIGURED = "not_configured"  # a setting such as SLACK_BOT_TOKEN is missing
    TLS_FAILED = "tls_failed"  # the TLS handshake failed (certificate, protocol)
    NOT_SUPPORTED = "not_supported"  # the SMTP server lacks what SMTP_URL asks (STARTTLS, AUTH)


def refusal(code: str | None) -> Refusal | None:
    try:
        return Refusal(code)
    except ValueError:
        return None


@dataclass(frozen=True)
class Retry:
    after_seconds: float | None
    reason: str
    # The request may have reached the other side (a timeout, a dropped connection): before
    # posting again, look for the first try. Not part of equality: the reason says the same.
    unknown: bool = field(default=False, compare=False)
    # Slack's error word, an SMTP reply code, or a Refusal's value; never compared as text.
    code: str | None = field(default=None, compare=False)

    @property
    def refusal(self) -> Refusal | None:
        return refusal(self.code)


@dataclass(frozen=True)
class Failed:
    reason: str
    code: str | None = field(default=None, compare=False)

    @property
    def refusal(self) -> Refusal | None:
        return refusal(self.code)


# What one call to Slack or an SMTP server led to (pipeline.suppress.Outcome is another idea).
SendResult = Sent | Retry | Failed

WAITING = "slack: waiting for this channel's turn (rate limit: 1 message/s or Retry-After)"


@dataclass(frozen=True)
class Deferred:
    """Not sent, and not a failure: the channel's turn comes in `after_seconds`."""

    after_seconds: float
    reason: str = WAITING


Paced = SendResult | Deferred
