"""The inbox's PostgreSQL connections: its own, driven by the event loop.

A batch committed from a thread waits, after each round trip, for the GIL held by the busy event
loop (up to `sys.getswitchinterval()`, 5 ms): three hand-overs a batch (the thread's start, the
INSERT, the pool's ping) made every request wait about 15 ms and left the process idle. On the
loop, the INSERT's answer is one more socket event among the requests'.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from notifier.store.engine import connect_async
from notifier.store.events import IncomingEvent, postgres_insert


class PostgresInbox:
    """Inserts event batches over connections kept between them, one per batch in flight (the
    writer bounds how many are), each opened on first need."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._idle: list[psycopg.AsyncConnection[Any]] = []

    async def insert(self, items: Sequence[IncomingEvent], received_at: datetime) -> dict[str, int]:
        """The new events' ids by dedup key, committed. The database out of reach raises
        SQLAlchemy's OperationalError, as the rest of the store does."""
        try:
            conn = self._idle.pop() if self._idle else await connect_async(self._engine)
        except psycopg.OperationalError as error:
            raise OperationalError("connect", None, error) from None
        try:
            cursor = await conn.execute(*postgres_insert(items, received_at))
            ids = {key: event_id for key, event_id in await cursor.fetchall()}
        except BaseException as error:
            broken = conn.broken
            await conn.close()  # cut off mid-statement or broken: its state is unknown
            if broken:
                # Its idle siblings went to the same server: a restart ended them too. Dropped
                # now, the next batches connect afresh instead of failing one by one.
                await self.close()
            if isinstance(error, psycopg.OperationalError):
                raise OperationalError("INSERT INTO events", None, error) from None
            raise
        self._idle.append(conn)
        return ids

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            with contextlib.suppress(psycopg.Error):
                await conn.close()
