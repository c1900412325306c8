"""Remembered channel messages: the Slack `ts` of a group's cycle, per receiver."""

from __future__ import annotations

from sqlalchemy import Connection, select

from notifier.store.engine import upsert
from notifier.store.schema import message_refs


def get_ref(conn: Connection, receiver: str, group_key: str, cycle: int) -> str | None:
    query = select(message_refs.c.ref).where(
        message_refs.c.receiver == receiver,
        message_refs.c.group_key == group_key,
        message_refs.c.cycle == cycle,
    )
    return conn.execute(query).scalar()


def save_ref(conn: Connection, receiver: str, group_key: str, cycle: int, ref: str) -> None:
    """Insert or replace: the latest message posted for the cycle is the one to edit."""
    values = {"receiver": receiver, "group_key": group_key, "cycle": cycle, "ref": ref}
    upsert(conn, message_refs, ["receiver", "group_key", "cycle"], [values])
