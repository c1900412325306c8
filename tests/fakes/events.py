"""Events as the parsers make them and as the inbox stores them."""

import itertools
from datetime import UTC, datetime
from typing import Any

from notifier.events import Event
from notifier.store.events import IncomingEvent

NOW = datetime(2024, 6, 4, 12, 0, tzinfo=UTC)
PROD = "AC" + "a" * 32  # an account the rules keep
TEST = "AC" + "b" * 32  # an account the rules drop, where they drop one

_sids = itertools.count()


def make_event(at: datetime = NOW, **fields: Any) -> Event:
    """An error 11200 from the debugger on PROD at `at`; `fields` set any other Event field."""
    values: dict[str, Any] = {
        "source": "debugger",
        "error_code": "11200",
        "error_message": "HTTP retrieval failure",
        "account_sid": PROD,
        **fields,
    }
    return Event(time=at, **values)


def make_incoming(
    at: datetime = NOW,
    *,
    key: str | None = None,
    raw_body: str = "{}",
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> IncomingEvent:
    """`make_event(at, **fields)` as the inbox stores it, under `key` (by default a new Sid)."""
    dedup_key = key if key is not None else f"NO{next(_sids):032d}"
    return IncomingEvent(dedup_key, make_event(at, **fields), raw_body, headers or {})
