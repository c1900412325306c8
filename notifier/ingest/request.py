"""What a source parser sees of a request, and what it returns."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple

from yarl import URL

from notifier.events import LEVELS, Event, as_utc

# Twilio's webhooks carry a few dozen fields at most; the cap bounds the work a request can ask
# for before its signature is checked.
MAX_FIELDS = 1000


class BadRequest(Exception):
    """The request cannot be an event of this source; the message says why (answered 400)."""


class TooManyFields(BadRequest):
    """More than MAX_FIELDS form fields (answered 413)."""


class FormFields(dict[str, str]):
    """Form or query fields by name. Each name comes once: Twilio never repeats one, and its
    signature covers neither the order nor the count of a repeated name's values, so a body
    that repeats one would be stored with content nobody signed."""

    @classmethod
    def decode(cls, text: str) -> FormFields:
        """An application/x-www-form-urlencoded body (or a query string), decoded as
        `urllib.parse.parse_qsl` (blank values kept) would: yarl's C decoder is five times
        faster on Twilio's bodies, whose JSON `Payload` is mostly percent escapes."""
        if text.count("&") >= MAX_FIELDS:  # counted before a flood of fields is decoded
            raise TooManyFields(f"more than {MAX_FIELDS} form fields")
        pairs = list(URL.build(query_string=text, encoded=True).query.items())
        fields = cls(pairs)
        if len(fields) < len(pairs):
            counts = Counter(name for name, _ in pairs)
            repeated = next(name for name, count in counts.items() if count > 1)
            raise BadRequest(f"form field {repeated[:100]!r} is sent more than once")
        return fields


class RequestData(NamedTuple):
    """A verified request: form or query fields, or a decoded JSON body."""

    fields: Mapping[str, str]
    json: Any
    body: str
    headers: Mapping[str, str]
    received_at: datetime


class Parsed(NamedTuple):
    """One event and Twilio's identity of it (None: what Twilio signed identifies it)."""

    event: Event
    identity: str | None


def dedup_key(source: str, parsed: Parsed, request: RequestData) -> str:
    """Same Twilio event, same key: its own id, else what Twilio signed. Never a header such
    as I-Twilio-Idempotency-Token: no signature covers headers, so a replay with a new one
    would become a new event."""
    identity = parsed.identity or signed_content_hash(request)
    key = storable(f"{source}:{identity}")
    if len(key) <= 255:
        return key
    # Long identities keep their start for people and a hash of the whole for uniqueness.
    return key[:190] + "#" + hashlib.sha256(key.encode()).hexdigest()


def signed_content_hash(request: RequestData) -> str:
    """The fields sorted by name, as the signature covers them (a replay with its fields in
    another order is the same event); a JSON body as sent, which bodySHA256 signs."""
    signed = (
        request.body if request.json is not None else json.dumps(sorted(request.fields.items()))
    )
    return hashlib.sha256(signed.encode("utf-8", "replace")).hexdigest()


def require(fields: Mapping[str, str], *names: str) -> None:
    missing = [name for name in names if not fields.get(name)]
    if missing:
        raise BadRequest(f"missing required field(s): {', '.join(missing)}")


def level(value: object, default: str = "error") -> str:
    """Twilio sends ERROR/WARNING (its docs say Error/Warning): always lower case."""
    text = str(value or "").strip().lower()
    if not text:
        return default
    return text if text in LEVELS else "info"


def parse_time(value: object, fallback: datetime) -> datetime:
    """ISO 8601 (debugger, CloudEvents) or RFC 2822 (usage triggers); `fallback` if neither."""
    text = str(value or "").strip()
    if not text:
        return fallback
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return fallback
    try:
        return as_utc(parsed)
    except OverflowError:  # a valid time at the very edge of the calendar
        return fallback


def text_or_none(value: object, limit: int = 4000) -> str | None:
    if value is None:
        return None
    text = storable(value if isinstance(value, str) else str(value)).strip()
    return text[:limit] if text else None


def storable(text: str) -> str:
    """Without lone surrogates (JSON can carry "\\ud800"), which no database can encode."""
    if text.isascii():  # most of Twilio's values: nothing to replace, and far cheaper to know
        return text
    return text.encode("utf-8", "replace").decode("utf-8")
