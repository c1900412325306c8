"""Is a request really from Slack, and new? Slack's signature (`slack_sdk.signature`), its
5-minute window, and a memory of the requests already seen in that window (a replay of a
signed click does nothing)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from enum import StrEnum

from slack_sdk.signature import Clock, SignatureVerifier

# https://api.slack.com/authentication/verifying-requests-from-slack: "more than five minutes
# from local time" is refused, which SignatureVerifier also does.
WINDOW_SECONDS = 5 * 60
# Distinct signed requests remembered at most; people clicking never come near it.
REMEMBERED = 10_000
TIMESTAMP, SIGNATURE = "x-slack-request-timestamp", "x-slack-signature"


class Rejection(StrEnum):
    """Why a request to /slack/… was refused (the metric's `reason` label)."""

    UNSIGNED = "unsigned"  # no timestamp or signature header
    STALE = "stale"  # timestamp outside the window (or not a number)
    SIGNATURE = "signature"  # signed with another secret, or the body was changed
    REPLAY = "replay"  # the very same signed request, again
    TOO_LARGE = "too_large"
    MALFORMED = "malformed"  # signed, but not a payload Slack sends


class _Clock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class RequestVerifier:
    """`check(body, headers)`: None for a fresh request signed with the secret, else why not."""

    def __init__(self, secret: str, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._verifier = SignatureVerifier(secret, clock=_Clock(now))
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()

    def check(self, body: bytes, headers: Mapping[str, str]) -> Rejection | None:
        timestamp, signature = headers.get(TIMESTAMP), headers.get(SIGNATURE)
        if not timestamp or not signature:
            return Rejection.UNSIGNED
        if not timestamp.isdigit() or abs(self._now() - int(timestamp)) > WINDOW_SECONDS:
            return Rejection.STALE
        try:
            valid = self._verifier.is_valid(body, timestamp, signature)
        except UnicodeDecodeError:  # the verifier decodes the body; Slack sends only UTF-8
            return Rejection.MALFORMED
        if not valid:
            return Rejection.SIGNATURE
        return Rejection.REPLAY if self._seen_before(timestamp, signature) else None

    def _seen_before(self, timestamp: str, signature: str) -> bool:
        """Remember the request until its timestamp leaves the window (then it is stale)."""
        now = self._now()
        while self._seen and next(iter(self._seen.values())) < now:
            self._seen.popitem(last=False)
        key = (timestamp, signature)
        if key in self._seen:
            return True
        self._seen[key] = int(timestamp) + WINDOW_SECONDS
        if len(self._seen) > REMEMBERED:
            self._seen.popitem(last=False)
        return False
