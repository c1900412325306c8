"""Factories for digest tests: events, outcomes and deliveries stored at chosen times."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from notifier.events import Event
from notifier.store.events import IncomingEvent, insert_events
from notifier.store.schema import event_outcomes, events, notifications

_serial = itertools.count()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def store_event(
    engine: Engine,
    when: datetime,
    *,
    outcome: tuple[str | None, str] | None = None,
    **fields: object,
) -> int:
    """Store one event received at `when`; with `outcome` = (route, outcome) record it too."""
    event = Event(source=str(fields.pop("source", "debugger")), time=when, **fields)  # type: ignore[arg-type]
    key = f"k{next(_serial)}"
    with engine.begin() as conn:
        insert_events(conn, [IncomingEvent(key, event, "", {})], when)
        event_id = conn.execute(select(events.c.id).where(events.c.dedup_key == key)).scalar_one()
        if outcome is not None:
            route, decided = outcome
            conn.execute(
                insert(event_outcomes).values(
                    event_id=event_id, route=route, outcome=decided, group_key=None, time=when
                )
            )
    return int(event_id)


def store_delivery(engine: Engine, when: datetime, status: str, error: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(notifications).values(
                route="webhook-failures",
                receiver="ops",
                reason="first",
                group_key="g",
                cycle=1,
                notice="{}",
                status=status,
                attempts=1,
                last_error=error,
                created_at=when,
                next_attempt_at=when,
            )
        )
