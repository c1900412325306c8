"""Alert groups listed rather than locked: the open ones newest first (`/twilio-alerts
status`), and every key (to find a group by its key's hash)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from notifier.store.schema import groups


def live_group_states(conn: Connection, limit: int) -> list[str]:
    """The states (`GroupState.to_json()`) of up to `limit` groups not yet quiet: a quiet
    group never needs attention again, so its `due_at` is empty."""
    query = select(groups.c.state).where(groups.c.due_at.is_not(None)).limit(limit)
    return [str(state) for state in conn.scalars(query)]


def group_keys(conn: Connection) -> list[str]:
    return [str(key) for key in conn.scalars(select(groups.c.key))]
