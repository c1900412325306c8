"""The Slack messages a channel posted for a group's cycle and the channel IDs Slack answered,
kept in the store: the one object the Slack channel asks, so it never touches the store."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from notifier.store.engine import read_only, run_for_loop
from notifier.store.refs import MessageRef, get_channel_id, get_ref, save_channel_id, save_ref

log = logging.getLogger(__name__)


class MessageRefs:
    """`owner` names a receiver's channel (see `owner`); IDs are cached once per process."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._channel_ids: dict[str, str] = {}

    async def get(self, owner: tuple[str, ...], group_key: str, cycle: int) -> MessageRef | None:
        def read() -> MessageRef | None:
            with read_only(self._engine).connect() as conn:
                return get_ref(conn, owner, group_key, cycle)

        return await run_for_loop(self._engine, read)

    async def save(self, owner: str, group_key: str, cycle: int, ref: MessageRef) -> bool:
        """False (and logged) when it could not be stored: the message is out regardless."""

        def write() -> None:
            with self._engine.begin() as conn:
                save_ref(conn, owner, group_key, cycle, ref)

        try:
            await run_for_loop(self._engine, write)
        except Exception:  # a retry would post the message twice
            log.exception("could not remember the Slack message %s of %s", ref.ts, owner)
            return False
        return True

    async def channel_id(self, name: str) -> str | None:
        if name in self._channel_ids:
            return self._channel_ids[name]

        def read() -> str | None:
            with read_only(self._engine).connect() as conn:
                return get_channel_id(conn, name)

        found = await run_for_loop(self._engine, read)
        if found is not None:
            self._channel_ids[name] = found
        return found

    async def learn(self, name: str, channel_id: str) -> None:
        """Keeps the ID Slack answered for a configured channel (stored once per process)."""
        if self._channel_ids.get(name) == channel_id:
            return
        self._channel_ids[name] = channel_id

        def write() -> None:
            with self._engine.begin() as conn:
                save_channel_id(conn, name, channel_id)

        try:
            await run_for_loop(self._engine, write)
        except Exception:  # only a later duplicate check needs it
            log.exception("could not store the ID of Slack channel %s", name)


def owner(receiver: str, channel_key: str | None) -> tuple[str, ...]:
    """The keys a channel's refs may be stored under, newest first: a ref stored before
    receivers had several channels is under the receiver's name alone."""
    return (f"{receiver}/{channel_key}", receiver) if channel_key else (receiver,)
