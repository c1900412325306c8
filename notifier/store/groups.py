"""The `groups` table: each alert group's state, as JSON, and when it next needs attention.

The state's shape belongs to `notifier.pipeline.groups.GroupState` (its `to_json`/`from_json`);
the store keeps and locks the text without reading it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, select, text

from notifier.store.engine import upsert
from notifier.store.schema import groups


class GroupRow(NamedTuple):
    key: str
    route: str
    state: str  # GroupState.to_json()
    due_at: datetime | None  # when the group next needs attention; None: never


def lock_states(conn: Connection, keys: Iterable[str]) -> dict[str, str]:
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
    query = (
        select(groups.c.key, groups.c.state)
        .where(groups.c.key.in_(ordered))
        .order_by(groups.c.key)
        .with_for_update()
    )
    return {row.key: row.state for row in conn.execute(query)}


def save_states(conn: Connection, rows: Sequence[GroupRow]) -> None:
    """Insert or update each group with the time it next needs attention."""
    upsert(conn, groups, ["key"], [row._asdict() for row in sorted(rows)])


def claim_due_states(conn: Connection, now: datetime, limit: int) -> dict[str, str]:
    """Lock up to `limit` groups due by `now`, skipping those another worker holds."""
    query = (
        select(groups.c.key, groups.c.state)
        .where(groups.c.due_at <= now)
        .order_by(groups.c.key)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return {row.key: row.state for row in conn.execute(query)}


def load_state(conn: Connection, key: str) -> str | None:
    return conn.execute(select(groups.c.state).where(groups.c.key == key)).scalar()
