"""Until rules route events, the worker prints each one through the console receiver."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TextIO

from sqlalchemy import Connection

from notifier.store.events import StoredEvent


def print_events(
    conn: Connection, events: Sequence[StoredEvent], now: datetime, out: TextIO = sys.stdout
) -> None:
    for stored in events:
        event = stored.event
        print(
            f"[{event.source}] {event.level} {event.error_code or '-'} "
            f"account={event.account_sid or '-'} resource={event.resource_sid or '-'}: "
            f"{event.message or ''}",
            file=out,
            flush=True,
        )
