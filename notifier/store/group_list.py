"""Every alert group's key, to find a group by its key's hash (a Slack button's reference)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from notifier.store.schema import groups


def group_keys(conn: Connection) -> list[str]:
    return [str(key) for key in conn.scalars(select(groups.c.key))]
