"""Remembered channel messages (the Slack `ts` and channel ID of a group's cycle, per receiver)
and the channel IDs Slack gave for the channel names of rules.toml."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Connection, select

from notifier.store.engine import upsert
from notifier.store.schema import message_refs, slack_channels


class MessageRef(NamedTuple):
    ts: str
    channel: str  # its ID, as chat.postMessage answered


def get_ref(
    conn: Connection, receiver: str | Sequence[str], group_key: str, cycle: int
) -> MessageRef | None:
    """The cycle's message, stored under `receiver` (or the first of several names that has
    one); None also for one stored without its channel ID (before schema 8): Slack would
    refuse an edit naming the channel, so a new message is posted instead."""
    names = [receiver] if isinstance(receiver, str) else list(receiver)
    query = select(message_refs.c.receiver, message_refs.c.ref, message_refs.c.channel).where(
        message_refs.c.receiver.in_(names),
        message_refs.c.group_key == group_key,
        message_refs.c.cycle == cycle,
        message_refs.c.channel.is_not(None),
    )
    found = {row.receiver: MessageRef(row.ref, row.channel) for row in conn.execute(query)}
    return next((found[name] for name in names if name in found), None)


def save_ref(conn: Connection, receiver: str, group_key: str, cycle: int, ref: MessageRef) -> None:
    """Insert or replace: the latest message posted for the cycle is the one to edit."""
    values = {
        "receiver": receiver,
        "group_key": group_key,
        "cycle": cycle,
        "ref": ref.ts,
        "channel": ref.channel,
    }
    upsert(conn, message_refs, ["receiver", "group_key", "cycle"], [values])


def get_channel_id(conn: Connection, name: str) -> str | None:
    query = select(slack_channels.c.channel_id).where(slack_channels.c.name == name)
    return conn.execute(query).scalar()


def save_channel_id(conn: Connection, name: str, channel_id: str) -> None:
    upsert(conn, slack_channels, ["name"], [{"name": name, "channel_id": channel_id}])
