"""Group commit for the inbox: requests wait for one shared transaction, then answer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine

from notifier.store.events import IncomingEvent, insert_events

MAX_BATCH = 1000


class InboxWriter:
    """Stores events from many concurrent requests in few transactions, off the event loop."""

    def __init__(self, engine: Engine, on_stored: Callable[[], None] = lambda: None) -> None:
        self._engine = engine
        self._on_stored = on_stored
        self._queue: asyncio.Queue[tuple[Sequence[IncomingEvent], asyncio.Future[set[str]]]]
        self._queue = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="inbox-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def store(self, items: Sequence[IncomingEvent]) -> set[str]:
        """Returns once `items` are committed: the dedup keys that were new."""
        future: asyncio.Future[set[str]] = asyncio.get_running_loop().create_future()
        await self._queue.put((items, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            items = [item for request_items, _ in batch for item in request_items]
            try:
                new = await asyncio.to_thread(self._commit, items)
            except Exception as error:  # every waiting request must learn of the failure
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for _, future in batch:
                if not future.done():
                    future.set_result(new)
            self._on_stored()

    def _commit(self, items: Sequence[IncomingEvent]) -> set[str]:
        with self._engine.begin() as conn:
            return insert_events(conn, items, datetime.now(UTC))
