"""Group commit for the inbox: requests wait for one shared transaction, then answer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine

from notifier.store.events import IncomingEvent, StoredEvent, insert_events
from notifier.store.inbox import PostgresInbox

MAX_BATCH = 1000
# A stop comes once uvicorn has answered every request or cut it off: this bounds the last commit
# for a request cut off while it waited (the store slow or down).
FLUSH_SECONDS = 3.0
# Batches committing at once. SQLite takes one writer at a time. On PostgreSQL each batch in
# flight holds a connection of the inbox's own: two let a batch waiting on a row lock (another
# process inserting the same Sid) hold up no one, and more measured no faster (bench/README.md),
# since the requests arriving during a commit gather into the next batch.
PARALLEL_POSTGRES = 2

Batch = list[tuple[Sequence[IncomingEvent], "asyncio.Future[set[str]]"]]


class InboxWriter:
    """Stores events from many concurrent requests in few transactions."""

    def __init__(
        self, engine: Engine, on_stored: Callable[[list[StoredEvent]], None] = lambda _: None
    ) -> None:
        self._engine = engine
        self._on_stored = on_stored
        self._waiting: Batch = []
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        postgres = engine.dialect.name == "postgresql"
        self._slots = asyncio.Semaphore(PARALLEL_POSTGRES if postgres else 1)
        self._in_flight: set[asyncio.Task[None]] = set()
        # On PostgreSQL a batch is one INSERT, atomic by itself: in autocommit it is one round
        # trip rather than BEGIN, INSERT, COMMIT, and still committed before anyone is answered.
        self._postgres = PostgresInbox(engine) if postgres else None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="inbox-writer")

    async def stop(self, timeout: float = FLUSH_SECONDS) -> None:
        """Commits what requests are still waiting for (within `timeout`), then stops."""
        if self._task is None:
            return
        self._closing = True
        self._arrived.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._drain(self._task)), timeout)
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        if self._postgres is not None:
            await self._postgres.close()

    async def _drain(self, run: asyncio.Task[None]) -> None:
        """Until the last batch is taken (`_run` returns) and every batch has committed."""
        await asyncio.shield(run)
        await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def store(self, items: Sequence[IncomingEvent]) -> set[str]:
        """Returns once `items` are committed: the dedup keys that were new."""
        future: asyncio.Future[set[str]] = asyncio.get_running_loop().create_future()
        self._waiting.append((items, future))
        self._arrived.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._arrived.wait()
            # One turn of the loop lets requests already read join this batch: a commit costs
            # about 150 µs however few events it holds, each event about 25 µs more.
            await asyncio.sleep(0)
            # While every slot commits, the requests arriving gather into the next batch.
            await self._slots.acquire()
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            if not self._waiting and not self._closing:
                self._arrived.clear()
            if not batch:  # woken by `stop` with nothing left to commit
                self._slots.release()
                return
            task = asyncio.create_task(self._store_batch(batch))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._slots.release()

    async def _store_batch(self, batch: Batch) -> None:
        items = [item for request_items, _ in batch for item in request_items]
        try:
            stored = await self._commit(items)
        except Exception:
            # One event the store cannot take must not fail the requests batched with it.
            await self._commit_one_by_one(batch)
            self._on_stored([])
        else:
            for (_, future), own in zip(batch, _first_claims(batch, set(stored)), strict=True):
                _resolve(future, own)
            self._on_stored(list(stored.values()))

    async def _commit_one_by_one(self, batch: Batch) -> None:
        for items, future in batch:
            try:
                _resolve(future, set(await self._commit(items)))
            except Exception as error:  # this request's own failure: it is answered 503
                if not future.done():
                    future.set_exception(error)

    async def _commit(self, items: Sequence[IncomingEvent]) -> dict[str, StoredEvent]:
        """The new events by dedup key (a key twice in `items`: the first is the one stored)."""
        received_at = datetime.now(UTC)
        if self._postgres is not None:
            ids = await self._postgres.insert(items, received_at)
        else:  # a local file answers in microseconds: on the loop itself, as run_for_loop does
            with self._engine.begin() as conn:
                ids = insert_events(conn, items, received_at)
        first: dict[str, IncomingEvent] = {}
        for item in items:
            first.setdefault(item.dedup_key, item)
        return {key: StoredEvent(i, received_at, first[key].event) for key, i in ids.items()}


def _resolve(future: asyncio.Future[set[str]], new: set[str]) -> None:
    if not future.done():  # the request may have been cancelled by a client that went away
        future.set_result(new)


def _first_claims(batch: Batch, new: set[str]) -> list[set[str]]:
    """Each new key belongs to the first request that carried it; a concurrent redelivery of
    the same event in the same batch is a duplicate, as it would be one batch later."""
    unclaimed = set(new)
    claims = []
    for items, _ in batch:
        own = {key for item in items if (key := item.dedup_key) in unclaimed}
        unclaimed -= own
        claims.append(own)
    return claims
