"""The `groups` table: each alert group's state, as JSON, and when it next needs attention.

The state's shape belongs to `notifier.pipeline.groups.GroupState` (its `to_json`/`from_json`);
the store keeps and locks the text without reading it. An acknowledgement lives in columns of
its own, written only by `notifier.actions`, so the pipeline's saves never undo one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, select, text, update

from notifier.store.engine import upsert
from notifier.store.schema import groups


class GroupRow(NamedTuple):
    key: str
    route: str
    state: str  # GroupState.to_json()
    due_at: datetime | None  # when the group next needs attention; None: never


class StoredGroup(NamedTuple):
    state: str  # GroupState.to_json()
    acknowledged_cycle: int | None  # the cycle an acknowledgement holds for; None: none


class Acknowledgement(NamedTuple):
    by: str
    at: datetime
    cycle: int


_STORED = (groups.c.key, groups.c.state, groups.c.acknowledged_cycle)


def lock_states(conn: Connection, keys: Iterable[str]) -> dict[str, StoredGroup]:
    """Load and lock the states of the groups a batch touches (sorted, so two workers never
    deadlock)."""
    ordered = sorted(set(keys))
    if not ordered:
        return {}
    if conn.dialect.name == "postgresql":
        # A row lock cannot guard a group that has no row yet: two workers opening the same
        # group would both insert it. A transaction-scoped advisory lock per key can.
        for key in ordered:
            conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
            )
    query = select(*_STORED).where(groups.c.key.in_(ordered)).order_by(groups.c.key)
    return _stored(conn.execute(query.with_for_update()))


def save_states(conn: Connection, rows: Sequence[GroupRow]) -> None:
    """Insert or update each group with the time it next needs attention."""
    upsert(conn, groups, ["key"], [row._asdict() for row in sorted(rows)])


def claim_due_states(conn: Connection, now: datetime, limit: int) -> dict[str, StoredGroup]:
    """Lock up to `limit` groups due by `now`, skipping those another worker holds."""
    query = (
        select(*_STORED)
        .where(groups.c.due_at <= now)
        .order_by(groups.c.key)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return _stored(conn.execute(query))


def load_state(conn: Connection, key: str) -> StoredGroup | None:
    row = conn.execute(select(*_STORED).where(groups.c.key == key)).first()
    return None if row is None else StoredGroup(row.state, row.acknowledged_cycle)


def acknowledgement(conn: Connection, key: str) -> Acknowledgement | None:
    """Who acknowledged the group and for which cycle, if anyone did."""
    columns = (groups.c.acknowledged_by, groups.c.acknowledged_at, groups.c.acknowledged_cycle)
    row = conn.execute(select(*columns).where(groups.c.key == key)).first()
    if row is None or row.acknowledged_cycle is None:
        return None
    return Acknowledgement(row.acknowledged_by, row.acknowledged_at, row.acknowledged_cycle)


def set_acknowledgement(conn: Connection, key: str, ack: Acknowledgement | None) -> None:
    """Acknowledge the group (for `ack.cycle`), or withdraw its acknowledgement (None)."""
    values = {
        "acknowledged_by": ack.by if ack else None,
        "acknowledged_at": ack.at if ack else None,
        "acknowledged_cycle": ack.cycle if ack else None,
    }
    conn.execute(update(groups).where(groups.c.key == key).values(**values))


def _stored(rows: Iterable[Any]) -> dict[str, StoredGroup]:
    return {row.key: StoredGroup(row.state, row.acknowledged_cycle) for row in rows}
