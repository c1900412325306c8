"""Why signatures fail, in the log: the URL checked, where it came from, the likely fix."""

from __future__ import annotations

import logging

from notifier.twilio.signature import SignatureFailure

log = logging.getLogger(__name__)

# A wrong PUBLIC_URL fails every request: one warning a minute per source says so enough.
INTERVAL_SECONDS = 60.0

_FROM_PUBLIC_URL = (
    "PUBLIC_URL plus the request's path and query. If Twilio calls another URL, set "
    "PUBLIC_URL to the base of the URL configured in Twilio"
)
_FROM_REQUEST = (
    "the request's Host and the proxy headers uvicorn trusts (FORWARDED_ALLOW_IPS), as "
    "PUBLIC_URL is not set. If Twilio calls another URL (https, another host), set PUBLIC_URL "
    "to the base of the URL configured in Twilio"
)


class SignatureFailureLog:
    """Logs a refused signature at most once per INTERVAL_SECONDS per source; never the token
    or the signature itself."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}

    def refused(
        self, source: str, url: str, from_public_url: bool, why: SignatureFailure, now: float
    ) -> None:
        """`now`: monotonic seconds."""
        last = self._last.get(source)
        if last is not None and now - last < INTERVAL_SECONDS:
            return
        self._last[source] = now
        origin = _FROM_PUBLIC_URL if from_public_url else _FROM_REQUEST
        log.warning(
            "%s: refused a request whose signature was checked against %s: %s. That URL comes "
            "from %s; otherwise check TWILIO_AUTH_TOKEN. (At most one such warning a minute "
            "per source.)",
            source,
            url,
            why.value,
            origin,
        )
