"""The delivery loop: claim outbox rows, send each to its receiver, record what happened."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from notifier.channels.result import Failed, Outcome, Retry, Sent
from notifier.metrics import Metrics
from notifier.store.outbox import Delivery, claim_deliveries, mark_failed, mark_retry, mark_sent
from notifier.store.pacing import mark_folded

log = logging.getLogger(__name__)

Sender = Callable[[Delivery], Awaitable[Outcome]]
SenderFor = Callable[[str], Sender | None]
Fold = Callable[[list[Delivery]], Awaitable[Outcome]]


@dataclass(frozen=True)
class Lane:
    """Receivers of one lane (a Slack channel) share its pace; in a storm they fold together."""

    key: str
    fold: Fold


LaneFor = Callable[[str], Lane | None]

MAX_ATTEMPTS = 30
# More due deliveries for one lane than it can send in a few seconds at one a second.
FOLD_OVER = 5
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


@dataclass(frozen=True)
class Job:
    """One send: a single delivery by its receiver's sender, or many folded into one message."""

    deliveries: list[Delivery]
    fold: Fold | None = None


def plan(deliveries: list[Delivery], lane_for: LaneFor, fold_over: int = FOLD_OVER) -> list[Job]:
    """Folds each lane with more than `fold_over` deliveries; every other one goes alone."""
    lanes: dict[str, list[Delivery]] = {}
    folds: dict[str, Fold] = {}
    for delivery in deliveries:
        lane = lane_for(delivery.receiver)
        if lane is not None:
            lanes.setdefault(lane.key, []).append(delivery)
            folds[lane.key] = lane.fold
    storms = {key: batch for key, batch in lanes.items() if len(batch) > fold_over}
    folded = {delivery.id for batch in storms.values() for delivery in batch}
    jobs = [Job(batch, folds[key]) for key, batch in storms.items()]
    return jobs + [Job([delivery]) for delivery in deliveries if delivery.id not in folded]


class Deliverer:
    """One failing receiver never holds up the others: every delivery is sent concurrently."""

    def __init__(
        self,
        engine: Engine,
        sender_for: SenderFor,
        clock: Callable[[], datetime],
        *,
        lane_for: LaneFor | None = None,
        metrics: Metrics | None = None,
        batch_size: int = 100,
        lease: timedelta = timedelta(minutes=2),
        fold_over: int = FOLD_OVER,
    ) -> None:
        self._engine = engine
        self._sender_for = sender_for
        self._clock = clock
        self._lane_for: LaneFor = lane_for or (lambda _receiver: None)
        self._metrics = metrics
        self._batch_size = batch_size
        self._lease = lease
        self._fold_over = fold_over

    async def run_once(self) -> int:
        deliveries = await asyncio.to_thread(self._claim)
        if not deliveries:
            return 0
        jobs = plan(deliveries, self._lane_for, self._fold_over)
        outcomes = await asyncio.gather(*(self._run(job) for job in jobs))
        await asyncio.to_thread(self._record, list(zip(jobs, outcomes, strict=True)))
        return len(deliveries)

    def _claim(self) -> list[Delivery]:
        with self._engine.begin() as conn:
            return claim_deliveries(conn, self._clock(), self._lease, self._batch_size)

    async def _run(self, job: Job) -> Outcome:
        if job.fold is None:
            return await self._send(job.deliveries[0])
        receivers = sorted({delivery.receiver for delivery in job.deliveries})
        log.warning("storm: folding %d deliveries to %s", len(job.deliveries), receivers)
        try:
            return await job.fold(job.deliveries)
        except Exception as error:  # as for one delivery: retried, the loop goes on
            log.exception("storm summary to %s failed unexpectedly", receivers)
            return Retry(None, f"unexpected error: {type(error).__name__}")

    async def _send(self, delivery: Delivery) -> Outcome:
        sender = self._sender_for(delivery.receiver)
        if sender is None:
            return Failed(f"receiver {delivery.receiver!r} is not in rules.toml any more")
        try:
            return await sender(delivery)
        except Exception as error:  # a bug in one channel must not stop the loop
            log.exception("delivery %d to %s failed unexpectedly", delivery.id, delivery.receiver)
            return Retry(None, f"unexpected error: {type(error).__name__}")

    def _record(self, results: list[tuple[Job, Outcome]]) -> None:
        now = self._clock()
        counted: list[tuple[str, str]] = []
        with self._engine.begin() as conn:
            for job, outcome in results:
                folded = job.fold is not None
                for delivery in job.deliveries:
                    step = next_step(delivery, outcome, now)
                    status = _record_one(conn, delivery, step, now, folded=folded)
                    counted.append((delivery.receiver, status))
        if self._metrics is not None:
            for receiver, status in counted:
                self._metrics.notifications.labels(receiver, status).inc()


def _record_one(
    conn: Connection, delivery: Delivery, step: Outcome, now: datetime, *, folded: bool
) -> str:
    """Stores what happened to one delivery; returns its status for the metrics."""
    if isinstance(step, Sent) and folded:
        mark_folded(conn, [delivery.id], now)
        return "folded"
    if isinstance(step, Sent):
        mark_sent(conn, delivery.id, now)
        return "sent"
    if isinstance(step, Retry):
        wait = step.after_seconds if step.after_seconds is not None else backoff(delivery.attempts)
        mark_retry(conn, delivery.id, now + timedelta(seconds=wait), step.reason)
        return "retry"
    log.warning("delivery %d to %s failed: %s", delivery.id, delivery.receiver, step.reason)
    mark_failed(conn, delivery.id, step.reason)
    return "failed"
