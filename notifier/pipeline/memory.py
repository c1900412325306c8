"""Group states in and out of the store: `GroupState` on this side, its JSON in `groups`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import Connection

from notifier.pipeline.groups import GroupState
from notifier.store import groups as group_rows
from notifier.store.groups import GroupRow, StoredGroup


def lock_groups(conn: Connection, keys: Iterable[str]) -> dict[str, GroupState]:
    """Load and lock the groups a batch touches, for the caller's transaction."""
    return _decoded(group_rows.lock_states(conn, keys))


def claim_due_groups(conn: Connection, now: datetime, limit: int) -> dict[str, GroupState]:
    return _decoded(group_rows.claim_due_states(conn, now, limit))


def load_group(conn: Connection, key: str) -> GroupState | None:
    stored = group_rows.load_state(conn, key)
    return _decode(stored) if stored else None


def save_groups(conn: Connection, states: Mapping[str, tuple[GroupState, datetime | None]]) -> None:
    """Insert or update each group with the time it next needs attention."""
    rows = [
        GroupRow(key, state.route, state.to_json(), due_at)
        for key, (state, due_at) in states.items()
    ]
    group_rows.save_states(conn, rows)


def _decoded(stored: Mapping[str, StoredGroup]) -> dict[str, GroupState]:
    return {key: _decode(group) for key, group in stored.items()}


def _decode(stored: StoredGroup) -> GroupState:
    state = GroupState.from_json(stored.state)
    if stored.acknowledged_cycle is None:  # most groups: no second copy of the tuple
        return state
    return state._replace(acknowledged_cycle=stored.acknowledged_cycle)
