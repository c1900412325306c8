"""Queries on the event inbox: idempotent insert, leased claims, history, pruning."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, update

from notifier.events import Event
from notifier.store.engine import conflict_insert
from notifier.store.schema import events


@dataclass(frozen=True, slots=True)
class IncomingEvent:
    """What an endpoint stores: Twilio's identity of the event, the event, and the raw request."""

    dedup_key: str
    event: Event
    raw_body: str
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int
    received_at: datetime
    event: Event


def insert_events(
    conn: Connection, items: Sequence[IncomingEvent], received_at: datetime
) -> set[str]:
    """Store events not seen before; returns the dedup keys that were new."""
    if not items:
        return set()
    statement = (
        conflict_insert(conn, events)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(events.c.dedup_key)
    )
    rows = [_row(item, received_at) for item in items]
    return set(conn.execute(statement, rows).scalars())


def _row(item: IncomingEvent, received_at: datetime) -> dict[str, Any]:
    event = item.event
    return {
        "dedup_key": item.dedup_key,
        "source": event.source,
        "received_at": received_at,
        "time": event.time,
        "level": event.level,
        "error_code": event.error_code,
        "account_sid": event.account_sid,
        "resource_sid": event.resource_sid,
        "data": json.dumps(event.to_json(), separators=(",", ":")),
        "raw_body": item.raw_body,
        "headers": json.dumps(item.headers, separators=(",", ":")),
        "attempts": 0,
    }


def claim_events(
    conn: Connection, now: datetime, lease: timedelta, limit: int
) -> list[StoredEvent]:
    """Lease up to `limit` unprocessed events; a lease that expired is claimable again."""
    candidates = (
        select(events.c.id)
        .where(events.c.processed_at.is_(None))
        .where(or_(events.c.lease_until.is_(None), events.c.lease_until < now))
        .order_by(events.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(events)
        .where(events.c.id.in_(candidates.scalar_subquery()))
        .values(lease_until=now + lease, attempts=events.c.attempts + 1)
        .returning(events.c.id, events.c.received_at, events.c.data)
    )
    rows = conn.execute(statement).all()
    return sorted((_stored(row) for row in rows), key=lambda stored: stored.id)


def mark_processed(conn: Connection, ids: Sequence[int], now: datetime) -> None:
    if ids:
        conn.execute(
            update(events).where(events.c.id.in_(ids)).values(processed_at=now, lease_until=None)
        )


def list_events(conn: Connection, since: datetime | None, limit: int) -> list[StoredEvent]:
    """The newest events first, received at or after `since`."""
    query = select(events.c.id, events.c.received_at, events.c.data)
    if since is not None:
        query = query.where(events.c.received_at >= since)
    rows = conn.execute(query.order_by(events.c.id.desc()).limit(limit)).all()
    return [_stored(row) for row in rows]


def pending_backlog(conn: Connection) -> tuple[int, datetime | None]:
    """How many events wait for the worker, and when the oldest of them arrived."""
    query = select(func.count(), func.min(events.c.received_at)).where(
        events.c.processed_at.is_(None)
    )
    count, oldest = conn.execute(query).one()
    return int(count), oldest


def prune_events(conn: Connection, before: datetime) -> int:
    """Delete events received before `before`; returns how many went."""
    result = conn.execute(delete(events).where(events.c.received_at < before))
    return result.rowcount


def _stored(row: Any) -> StoredEvent:
    return StoredEvent(
        id=row.id, received_at=row.received_at, event=Event.from_json(json.loads(row.data))
    )


def get_event(conn: Connection, event_id: int) -> StoredEvent | None:
    query = select(events.c.id, events.c.received_at, events.c.data).where(events.c.id == event_id)
    row = conn.execute(query).first()
    return _stored(row) if row else None
