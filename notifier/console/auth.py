"""Console sessions: a signed, expiring cookie, and the key that signs it.

The cookie holds nothing secret: when it was issued, a random id and an HMAC-SHA256 over both.
Stateless, so any web process accepts it; the CSRF token is derived from the same id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

COOKIE = "console_session"
LIFETIME = timedelta(hours=12)
# Separates the key derived from the password from any other use of the same password.
_DERIVE_LABEL = b"twilio-alert-notifier console session key v1"


def session_key(password: str, secret: str | None) -> bytes:
    """SESSION_SECRET when set, else a key derived from the password (HMAC of it)."""
    if secret:
        return hashlib.sha256(secret.encode()).digest()
    return hmac.new(_DERIVE_LABEL, password.encode(), hashlib.sha256).digest()


def password_matches(given: str, password: str) -> bool:
    # Compared as digests: constant time whatever the lengths.
    expected = hashlib.sha256(password.encode()).digest()
    return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), expected)


@dataclass(frozen=True)
class Session:
    id: str
    issued_at: datetime


class Signer:
    """Issues and checks session cookies with one key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def issue(self, now: datetime) -> str:
        body = f"{int(now.timestamp())}.{secrets.token_urlsafe(16)}"
        return f"{body}.{self._sign(body)}"

    def check(self, cookie: str | None, now: datetime) -> Session | None:
        """The session of a cookie this signer issued and that has not expired; else None."""
        if not cookie or cookie.count(".") != 2:
            return None
        stamp, session_id, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._sign(f"{stamp}.{session_id}")):
            return None
        if not stamp.isdigit():
            return None
        issued = datetime.fromtimestamp(int(stamp), now.tzinfo)
        if not issued <= now + timedelta(minutes=1) or now - issued > LIFETIME:
            return None
        return Session(session_id, issued)

    def csrf_token(self, session: Session) -> str:
        return self._sign(f"csrf:{session.id}")

    def csrf_ok(self, session: Session, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token(session))

    def _sign(self, text: str) -> str:
        digest = hmac.new(self._key, text.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
