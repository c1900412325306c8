"""The pace of each Slack channel, shared by every worker: when its next message may go."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, select, update

from notifier.store.engine import conflict_insert
from notifier.store.schema import channel_pace


def take_turn(conn: Connection, key: str, now: datetime, spacing: timedelta) -> datetime | None:
    """None when the channel may send now (its next turn moves to now + spacing), else when."""
    # A conditional UPDATE is the compare-and-set: PostgreSQL re-checks `next_at <= now` on the
    # row after a concurrent writer commits, SQLite runs one writer at a time.
    moved = conn.execute(
        update(channel_pace)
        .where(channel_pace.c.channel_key == key, channel_pace.c.next_at <= now)
        .values(next_at=now + spacing)
    )
    if moved.rowcount or _insert_new(conn, key, now + spacing):
        return None
    query = select(channel_pace.c.next_at).where(channel_pace.c.channel_key == key)
    next_at: datetime = conn.execute(query).scalar_one()
    return next_at


def hold_until(conn: Connection, key: str, until: datetime) -> None:
    """No message to the channel before `until` (a 429's Retry-After); never shortens a hold."""
    held = conn.execute(
        update(channel_pace)
        .where(channel_pace.c.channel_key == key, channel_pace.c.next_at < until)
        .values(next_at=until)
    )
    if not held.rowcount:
        _insert_new(conn, key, until)


def _insert_new(conn: Connection, key: str, next_at: datetime) -> bool:
    statement = conflict_insert(conn, channel_pace).values(channel_key=key, next_at=next_at)
    statement = statement.on_conflict_do_nothing(index_elements=["channel_key"])
    # RETURNING says whether the row went in; the rowcount via psycopg did not.
    return conn.execute(statement.returning(channel_pace.c.channel_key)).first() is not None
