"""The worker loop: claim stored events, process them once, mark them done."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from notifier.store.events import StoredEvent, claim_events, mark_processed

log = logging.getLogger(__name__)

# Handles a claimed batch inside the transaction that marks it processed.
Processor = Callable[[Connection, Sequence[StoredEvent], datetime], None]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Worker:
    """Leases batches so that a process that died mid-batch hands its events on."""

    def __init__(
        self,
        engine: Engine,
        process: Processor,
        *,
        batch_size: int = 500,
        lease: timedelta = timedelta(seconds=60),
        idle_poll: float = 0.2,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._process = process
        self._batch_size = batch_size
        self._lease = lease
        self._idle_poll = idle_poll
        self._clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New events were stored in this process: look now rather than at the next poll."""
        self._wake.set()

    def run_once(self) -> int:
        """Process one batch; returns how many events it held."""
        with self._engine.begin() as conn:
            claimed = claim_events(conn, self._clock(), self._lease, self._batch_size)
        if not claimed:
            return 0
        with self._engine.begin() as conn:
            self._process(conn, claimed, self._clock())
            mark_processed(conn, [stored.id for stored in claimed], self._clock())
        return len(claimed)

    async def run(self) -> None:
        while True:
            try:
                done = await asyncio.to_thread(self.run_once)
            except Exception:
                log.exception("worker batch failed; its events will be claimed again")
                done = 0
            if done < self._batch_size:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._idle_poll)
