"""The worker loop: process stored events, flush due groups, deliver the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from notifier.delivery import Deliverer
from notifier.events import utcnow
from notifier.pipeline.process import Pipeline
from notifier.shutdown import DELIVERIES_SECONDS
from notifier.store.engine import driver_reason, run_for_loop
from notifier.store.events import StoredEvent, claim_events, lease_events, mark_processed

log = logging.getLogger(__name__)

# Events this process stored and still holds, so that claiming them skips decoding them again.
# Bounded: events another worker claimed are never claimed here and drop out the oldest first.
KNOWN_EVENTS = 5000


class Worker:
    """Claims each batch in the transaction that processes it, so that a process that died
    mid-batch hands its events on; a batch that failed waits out `lease` before it is retried."""

    def __init__(
        self,
        engine: Engine,
        pipeline: Pipeline,
        deliverer: Deliverer,
        *,
        batch_size: int = 500,
        lease: timedelta = timedelta(seconds=60),
        idle_poll: float = 0.2,
        settle: float = 0.05,
        clock: Callable[[], datetime] = utcnow,
        drain: float = DELIVERIES_SECONDS,
    ) -> None:
        self._engine = engine
        self._pipeline = pipeline
        self._deliverer = deliverer
        self._batch_size = batch_size
        self._lease = lease
        self._idle_poll = idle_poll
        self._settle = settle
        self._clock = clock
        self._drain = drain
        self._stopping = False
        self._wake = asyncio.Event()
        self._known: OrderedDict[int, StoredEvent] = OrderedDict()
        self._store_down = False

    def stored(self, events: list[StoredEvent]) -> None:
        """New events were stored in this process: look now rather than at the next poll."""
        for stored in events:
            self._known[stored.id] = stored
        while len(self._known) > KNOWN_EVENTS:
            self._known.popitem(last=False)
        self._wake.set()

    def process_once(self) -> int:
        """Process one batch of events; returns how many it held.

        Claimed, processed and marked in one transaction: one commit per batch, and a crash
        rolls the whole batch back to be claimed again. A batch whose processing fails is
        leased instead, so that it waits out the lease rather than fails at every step."""
        claimed: list[StoredEvent] = []
        try:
            with self._engine.begin() as conn:
                now = self._clock()
                claimed = claim_events(conn, now, self._batch_size, self._known)
                if claimed:
                    self._pipeline.process(conn, claimed, now)
                    mark_processed(conn, [stored.id for stored in claimed], now)
        except Exception:
            if claimed:
                with self._engine.begin() as conn:
                    lease_events(
                        conn, [stored.id for stored in claimed], self._clock() + self._lease
                    )
            raise
        finally:
            for stored in claimed:
                self._known.pop(stored.id, None)
        return len(claimed)

    def flush_once(self) -> int:
        with self._engine.begin() as conn:
            return len(self._pipeline.flush_due(conn, self._clock()))

    def stop(self) -> None:
        """`run` claims nothing more, lets the sends in flight end within `drain` seconds, hands
        back the rest and returns."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        try:
            while not self._stopping:
                busy = await self._step()
                if not busy and not self._stopping:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=self._idle_poll)
                    # Let a burst gather: one batch of many events costs far less than many of
                    # one, and every batch holds SQLite's write lock against incoming requests.
                    await asyncio.sleep(self._settle)
        finally:
            # Also when cancelled: what it holds is handed back rather than left leased.
            await self._deliverer.stop(self._drain if self._stopping else 0.0)

    async def _step(self) -> bool:
        try:
            processed = await run_for_loop(self._engine, self.process_once)
            flushed = await run_for_loop(self._engine, self.flush_once)
            # Sends go on in the background: a slow receiver does not hold up new events.
            delivered = await self._deliverer.start_once()
        except OperationalError as error:
            # Once per outage, not a traceback at every poll while the database is away.
            if not self._store_down:
                log.warning("the store is out of reach, retrying: %s", driver_reason(error))
            self._store_down = True
            return False
        except Exception:
            log.exception("worker step failed; its events will be claimed again")
            return False
        if self._store_down:
            log.warning("the store is reachable again")
            self._store_down = False
        return processed >= self._batch_size or bool(flushed or delivered)
