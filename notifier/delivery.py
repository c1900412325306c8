"""The delivery loop: claim outbox rows, send each to its receiver, record what happened."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from notifier.channels.result import Failed, Outcome, Retry, Sent
from notifier.store.outbox import Delivery, claim_deliveries, mark_failed, mark_retry, mark_sent

log = logging.getLogger(__name__)

Sender = Callable[[Delivery], Awaitable[Outcome]]
SenderFor = Callable[[str], Sender | None]

MAX_ATTEMPTS = 30
BACKOFF_BASE = 2.0
BACKOFF_CAP = 600.0


def backoff(attempts: int, jitter: float | None = None) -> float:
    """Seconds before the next try: exponential, capped, with ±20% jitter against herds."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** max(0, attempts - 1))
    return delay * (jitter if jitter is not None else random.uniform(0.8, 1.2))


def next_step(delivery: Delivery, outcome: Outcome, now: datetime) -> Outcome:
    """A retry past the last attempt becomes a failure, so nothing stays pending forever."""
    if isinstance(outcome, Retry) and delivery.attempts >= MAX_ATTEMPTS:
        return Failed(f"gave up after {delivery.attempts} attempts: {outcome.reason}")
    return outcome


class Deliverer:
    """One failing receiver never holds up the others: every delivery is sent concurrently."""

    def __init__(
        self,
        engine: Engine,
        sender_for: SenderFor,
        clock: Callable[[], datetime],
        *,
        batch_size: int = 100,
        lease: timedelta = timedelta(minutes=2),
    ) -> None:
        self._engine = engine
        self._sender_for = sender_for
        self._clock = clock
        self._batch_size = batch_size
        self._lease = lease

    async def run_once(self) -> int:
        deliveries = await asyncio.to_thread(self._claim)
        if not deliveries:
            return 0
        outcomes = await asyncio.gather(*(self._send(delivery) for delivery in deliveries))
        await asyncio.to_thread(self._record, list(zip(deliveries, outcomes, strict=True)))
        return len(deliveries)

    def _claim(self) -> list[Delivery]:
        with self._engine.begin() as conn:
            return claim_deliveries(conn, self._clock(), self._lease, self._batch_size)

    async def _send(self, delivery: Delivery) -> Outcome:
        sender = self._sender_for(delivery.receiver)
        if sender is None:
            return Failed(f"receiver {delivery.receiver!r} is not in rules.toml any more")
        try:
            return await sender(delivery)
        except Exception as error:  # a bug in one channel must not stop the loop
            log.exception("delivery %d to %s failed unexpectedly", delivery.id, delivery.receiver)
            return Retry(None, f"unexpected error: {type(error).__name__}")

    def _record(self, results: list[tuple[Delivery, Outcome]]) -> None:
        now = self._clock()
        with self._engine.begin() as conn:
            for delivery, outcome in results:
                step = next_step(delivery, outcome, now)
                if isinstance(step, Sent):
                    mark_sent(conn, delivery.id, now)
                elif isinstance(step, Retry):
                    wait = (
                        step.after_seconds
                        if step.after_seconds is not None
                        else backoff(delivery.attempts)
                    )
                    mark_retry(conn, delivery.id, now + timedelta(seconds=wait), step.reason)
                else:
                    log.warning(
                        "delivery %d to %s failed: %s", delivery.id, delivery.receiver, step.reason
                    )
                    mark_failed(conn, delivery.id, step.reason)
