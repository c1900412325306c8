"""Queries on the event inbox: idempotent insert, claims, failure leases, history, pruning."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection, delete, func, or_, select, update

from notifier.events import Event
from notifier.store.engine import driver_insert, json_rows, json_rows_insert, sqlite_time
from notifier.store.schema import events, naive_utc


class IncomingEvent(NamedTuple):
    """What an endpoint stores: Twilio's identity of the event, the event, and the raw request."""

    dedup_key: str
    event: Event
    raw_body: str
    headers: dict[str, str]


class StoredEvent(NamedTuple):
    id: int
    received_at: datetime
    event: Event


# What a StoredEvent is read from (`stored_event`).
STORED_COLUMNS = (events.c.id, events.c.received_at, events.c.data)


def insert_events(
    conn: Connection, items: Sequence[IncomingEvent], received_at: datetime
) -> dict[str, int]:
    """Store events not seen before; returns the new ones' ids by dedup key."""
    if not items:
        return {}
    if conn.dialect.name == "sqlite":
        return _insert_sqlite(conn, items, received_at)
    return _insert_postgres(conn, items, received_at)


def _insert_sqlite(
    conn: Connection, items: Sequence[IncomingEvent], received_at: datetime
) -> dict[str, int]:
    """The inbox's hot path on SQLite: one executemany of plain tuples through the driver, no
    RETURNING.

    The caller holds SQLite's write lock (BEGIN IMMEDIATE), so the new rows take the ids after
    the highest one in order; only when some keys were already stored are the ids read back."""
    before = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM events").scalar_one()
    received = sqlite_time(received_at)
    rows = [_values(item, received, sqlite_time) for item in items]
    inserted = conn.exec_driver_sql(_INSERT_SQLITE, rows).rowcount
    if inserted == len(items):
        return {item.dedup_key: before + n for n, item in enumerate(items, start=1)}
    query = "SELECT dedup_key, id FROM events WHERE id > ?"
    return {key: event_id for key, event_id in conn.exec_driver_sql(query, (before,))}


def _insert_postgres(
    conn: Connection, items: Sequence[IncomingEvent], received_at: datetime
) -> dict[str, int]:
    """The inbox's hot path on PostgreSQL: the batch as one JSON parameter of one prepared
    INSERT ... RETURNING, through the driver. SQLAlchemy's insertmanyvalues binds every value
    through its column type, and a multi-row VALUES is a new statement for psycopg to convert
    and for the server to plan at each batch size: each cost more than the insert."""
    return {
        key: event_id
        for key, event_id in conn.exec_driver_sql(*postgres_insert(items, received_at))
    }


def postgres_insert(
    items: Sequence[IncomingEvent], received_at: datetime
) -> tuple[str, tuple[str]]:
    """The statement and parameters of the PostgreSQL insert (rows: dedup key, id of the new)."""
    received = naive_utc(received_at)
    rows = [_values(item, received, naive_utc) for item in items]
    return _INSERT_POSTGRES, (json_rows(_COLUMNS, rows),)


_COLUMNS = (
    "dedup_key",
    "source",
    "received_at",
    "time",
    "level",
    "error_code",
    "account_sid",
    "resource_sid",
    "data",
    "raw_body",
    "headers",
    "attempts",
)
_INSERT_SQLITE = driver_insert(events, _COLUMNS, "ON CONFLICT (dedup_key) DO NOTHING")
_INSERT_POSTGRES = json_rows_insert(
    events, _COLUMNS, "ON CONFLICT (dedup_key) DO NOTHING RETURNING dedup_key, id"
)


def _values(
    item: IncomingEvent, received_at: object, stamp: Callable[[datetime], object]
) -> tuple[object, ...]:
    """The row of `_COLUMNS` for one event, its time through `stamp`."""
    event = item.event
    return (
        item.dedup_key,
        event.source,
        received_at,
        stamp(event.time),
        event.level,
        event.error_code,
        event.account_sid,
        event.resource_sid,
        _json(event.to_json(omit_none=True)),
        item.raw_body,
        _json(item.headers),
        0,
    )


def _json(value: dict[str, Any]) -> str:
    """Compact JSON, by orjson on this hot path (a tenth of json.dumps' time)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:  # a lone surrogate (from a JSON escape): json.dumps escapes it
        return json.dumps(value, separators=(",", ":"))


def claim_events(
    conn: Connection,
    now: datetime,
    limit: int,
    known: Mapping[int, StoredEvent] = MappingProxyType({}),
) -> list[StoredEvent]:
    """Take up to `limit` unprocessed events, oldest first, for the caller's transaction, which
    marks them processed before it commits. Until then no other worker can take them (row locks
    on PostgreSQL, skipped by other claims; the write lock on SQLite), and a transaction that
    never commits, its process dead, leaves them to the next claim: nothing is written to claim.
    Events leased after a failed batch wait until their lease ends. Events in `known` (by id) are
    taken from there instead of decoded from the store."""
    query = (
        select(events.c.id)
        .where(events.c.processed_at.is_(None))
        .where(or_(events.c.lease_until.is_(None), events.c.lease_until < now))
        .order_by(events.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(conn.execute(query).scalars())
    missing = [event_id for event_id in ids if event_id not in known]
    loaded = {stored.id: stored for stored in _load(conn, missing)} if missing else {}
    return [known.get(event_id) or loaded[event_id] for event_id in ids]


def _load(conn: Connection, ids: list[int]) -> list[StoredEvent]:
    query = select(*STORED_COLUMNS).where(events.c.id.in_(ids))
    return [stored_event(row) for row in conn.execute(query)]


def lease_events(conn: Connection, ids: Sequence[int], until: datetime) -> None:
    """Hold unprocessed events back from every worker until `until` (after a failed batch)."""
    conn.execute(
        update(events)
        .where(events.c.id.in_(ids))
        .where(events.c.processed_at.is_(None))
        .values(lease_until=until, attempts=events.c.attempts + 1)
    )


def mark_processed(conn: Connection, ids: Sequence[int], now: datetime) -> None:
    if not ids:
        return
    if conn.dialect.name == "sqlite":
        # The ids as one JSON parameter: binding hundreds of them costs more than the update.
        conn.exec_driver_sql(
            "UPDATE events SET processed_at = ?, lease_until = NULL, attempts = attempts + 1 "
            "WHERE id IN (SELECT value FROM json_each(?))",
            (sqlite_time(now), json.dumps(list(ids))),
        )
        return
    # One array parameter: one prepared text whatever the count (an IN list is a new text).
    conn.exec_driver_sql(
        "UPDATE events SET processed_at = %s, lease_until = NULL, attempts = attempts + 1 "
        "WHERE id = ANY(%s::bigint[])",
        (naive_utc(now), list(ids)),
    )


def list_events(conn: Connection, since: datetime | None, limit: int) -> list[StoredEvent]:
    """The newest events first, received at or after `since`."""
    query = select(*STORED_COLUMNS)
    if since is not None:
        query = query.where(events.c.received_at >= since)
    rows = conn.execute(query.order_by(events.c.id.desc()).limit(limit)).all()
    return [stored_event(row) for row in rows]


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


def stored_event(row: Any) -> StoredEvent:
    """A row of STORED_COLUMNS, decoded."""
    return StoredEvent(
        id=row.id, received_at=row.received_at, event=Event.from_json(json.loads(row.data))
    )


def get_event(conn: Connection, event_id: int) -> StoredEvent | None:
    row = conn.execute(select(*STORED_COLUMNS).where(events.c.id == event_id)).first()
    return stored_event(row) if row else None
