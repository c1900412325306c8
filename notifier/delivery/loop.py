"""The delivery loop: claim outbox rows, send each to its receiver, record what happened."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Connection, Engine

from notifier.channels.pacing import Deferred, Paced
from notifier.channels.result import Failed, Retry, Sent, classify_transport_error
from notifier.metrics import Metrics
from notifier.store.engine import run_for_loop
from notifier.store.outbox import (
    Delivery,
    claim_deliveries,
    claim_for_receivers,
    mark_deferred,
    mark_failed,
    mark_folded,
    mark_retry,
    mark_sent,
)

log = logging.getLogger(__name__)

Sender = Callable[[Delivery], Awaitable[Paced]]
SenderFor = Callable[[str], Sender | None]
Fold = Callable[[list[Delivery]], Awaitable[Paced]]


@dataclass(frozen=True)
class Lane:
    """Receivers of one lane (a Slack channel) share its pace; in a storm they fold together."""

    key: str
    fold: Fold
    # Every receiver sending through this lane: a storm summary takes all their due deliveries.
    receivers: frozenset[str]


LaneFor = Callable[[str], Lane | None]

MAX_ATTEMPTS = 30
# More due deliveries for one lane than it can send in a few seconds at one a second.
FOLD_OVER = 5
BACKOFF_BASE = 2.0
BACKOFF_CAP = 600.0
# The longest one job (a Slack post with its duplicate check and its parent's refresh, three
# calls of at most 10 s each) may run before it is given up and retried.
JOB_TIMEOUT = 30.0
LEASE_MARGIN = timedelta(seconds=15)


def backoff(attempts: int) -> float:
    """Seconds before the next try: exponential, capped, with ±20% jitter against herds."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** max(0, attempts - 1))
    return delay * random.uniform(0.8, 1.2)


def next_step(delivery: Delivery, outcome: Paced) -> Paced:
    """A retry past the last attempt becomes a failure, so nothing stays pending forever."""
    if isinstance(outcome, Retry) and delivery.attempts >= MAX_ATTEMPTS:
        return Failed(f"gave up after {delivery.attempts} attempts: {outcome.reason}")
    return outcome


@dataclass(frozen=True)
class Job:
    """One send: a single delivery by its receiver's sender, or a lane's storm folded into one
    message (`lane` set)."""

    deliveries: list[Delivery]
    lane: Lane | None = None


def plan(deliveries: list[Delivery], lane_for: LaneFor) -> list[Job]:
    """Folds each lane with more than FOLD_OVER deliveries; every other one goes alone."""
    lanes: dict[str, list[Delivery]] = {}
    found: dict[str, Lane] = {}
    for delivery in deliveries:
        lane = lane_for(delivery.receiver)
        if lane is not None:
            lanes.setdefault(lane.key, []).append(delivery)
            found[lane.key] = lane
    storms = {key: batch for key, batch in lanes.items() if len(batch) > FOLD_OVER}
    folded = {delivery.id for batch in storms.values() for delivery in batch}
    jobs = [Job(batch, found[key]) for key, batch in storms.items()]
    return jobs + [Job([delivery]) for delivery in deliveries if delivery.id not in folded]


class Deliverer:
    """One slow or failing receiver never holds up the others, nor the caller: every job is
    sent concurrently, recorded as soon as it ends, and ends within `job_timeout` seconds."""

    def __init__(
        self,
        engine: Engine,
        sender_for: SenderFor,
        clock: Callable[[], datetime],
        *,
        lane_for: LaneFor | None = None,
        metrics: Metrics | None = None,
        batch_size: int = 100,
        job_timeout: float = JOB_TIMEOUT,
        lease: timedelta | None = None,
    ) -> None:
        self._engine = engine
        self._sender_for = sender_for
        self._clock = clock
        self._lane_for: LaneFor = lane_for or (lambda _receiver: None)
        self._metrics = metrics
        self._batch_size = batch_size
        self._job_timeout = job_timeout
        # Longer than any job may take, so a live worker's deliveries are never claimed twice;
        # short, so a dead worker's come back soon (and are checked before they are resent).
        self._lease = lease or timedelta(seconds=job_timeout) + LEASE_MARGIN
        self._sending: set[asyncio.Task[None]] = set()

    async def run_once(self) -> int:
        """Claims due deliveries and sends them; returns, once all are recorded, how many."""
        claimed = await self.start_once()
        await self.wait()
        return claimed

    async def start_once(self) -> int:
        """Claims due deliveries and starts sending them; returns how many, without waiting."""
        deliveries = await run_for_loop(self._engine, self._claim)
        if not deliveries:
            return 0
        jobs = plan(deliveries, self._lane_for)
        jobs = [await self._whole_backlog(job) for job in jobs]
        running = {asyncio.create_task(self._run(job)): job for job in jobs}
        task = asyncio.create_task(self._record_as_they_end(running))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)
        await asyncio.sleep(0)  # the sends start (up to their first request) before we go on
        return sum(len(job.deliveries) for job in jobs)

    async def wait(self) -> None:
        """Until every job started so far is sent and recorded."""
        while self._sending:
            await asyncio.wait(set(self._sending))

    async def stop(self) -> None:
        """Abandons the jobs in flight: their leases run out and they are claimed again."""
        for task in set(self._sending):
            task.cancel()
        await asyncio.gather(*self._sending, return_exceptions=True)

    async def _record_as_they_end(self, running: dict[asyncio.Task[Paced], Job]) -> None:
        try:
            while running:
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                results = [(running.pop(task), task.result()) for task in done]
                await run_for_loop(self._engine, partial(self._record, results))
        except Exception:  # the leases run out and the deliveries are claimed again
            log.exception("recording deliveries failed")
        finally:
            for task in running:
                task.cancel()

    def _claim(self) -> list[Delivery]:
        with self._engine.begin() as conn:
            return claim_deliveries(conn, self._clock(), self._lease, self._batch_size)

    async def _whole_backlog(self, job: Job) -> Job:
        """A storm job also takes the lane's due deliveries beyond this batch: one summary."""
        if job.lane is None:
            return job
        receivers = sorted(job.lane.receivers)

        def claim() -> list[Delivery]:
            with self._engine.begin() as conn:
                return claim_for_receivers(conn, receivers, self._clock(), self._lease)

        more = await run_for_loop(self._engine, claim)
        return Job(job.deliveries + more, job.lane)

    async def _run(self, job: Job) -> Paced:
        try:
            async with asyncio.timeout(self._job_timeout):
                return await self._job(job)
        except TimeoutError as error:
            which = sorted({delivery.receiver for delivery in job.deliveries})
            log.warning("delivery to %s took over %ss: given up", which, self._job_timeout)
            return classify_transport_error(error)

    async def _job(self, job: Job) -> Paced:
        if job.lane is None:
            return await self._send(job.deliveries[0])
        receivers = sorted({delivery.receiver for delivery in job.deliveries})
        log.warning("storm: folding %d deliveries to %s", len(job.deliveries), receivers)
        try:
            return await job.lane.fold(job.deliveries)
        except Exception as error:  # as for one delivery: retried, the loop goes on
            log.exception("storm summary to %s failed unexpectedly", receivers)
            return Retry(None, f"unexpected error: {type(error).__name__}")

    async def _send(self, delivery: Delivery) -> Paced:
        sender = self._sender_for(delivery.receiver)
        if sender is None:
            return Failed(f"receiver {delivery.receiver!r} is not in rules.toml any more")
        try:
            return await sender(delivery)
        except Exception as error:  # a bug in one channel must not stop the loop
            log.exception("delivery %d to %s failed unexpectedly", delivery.id, delivery.receiver)
            return Retry(None, f"unexpected error: {type(error).__name__}")

    def _record(self, results: list[tuple[Job, Paced]]) -> None:
        now = self._clock()
        counted: Counter[tuple[str, str]] = Counter()
        with self._engine.begin() as conn:
            for job, outcome in results:
                steps = _steps(job, outcome)
                for (status, step), batch in steps.items():
                    _store(conn, batch, step, now, status)
                    counted.update((delivery.receiver, status) for delivery in batch)
        if self._metrics is not None:
            for (receiver, status), count in counted.items():
                self._metrics.notifications.labels(receiver, status).inc(count)


def _steps(job: Job, outcome: Paced) -> dict[tuple[str, Paced], list[Delivery]]:
    """The deliveries of a job by what happens to them next, with that status for the metrics."""
    steps: dict[tuple[str, Paced], list[Delivery]] = {}
    for delivery in job.deliveries:
        step = next_step(delivery, outcome)
        status = _status(step, folded=job.lane is not None)
        steps.setdefault((status, step), []).append(delivery)
    return steps


def _status(step: Paced, *, folded: bool) -> str:
    if isinstance(step, Sent):
        return "folded" if folded else "sent"
    if isinstance(step, Deferred):
        return "deferred"
    return "retry" if isinstance(step, Retry) else "failed"


def _store(
    conn: Connection, batch: list[Delivery], step: Paced, now: datetime, status: str
) -> None:
    """Stores what happened to deliveries that share one outcome (one, or a folded storm)."""
    ids = [delivery.id for delivery in batch]
    if status == "folded":
        mark_folded(conn, ids, now)
    elif isinstance(step, Sent):
        mark_sent(conn, ids, now)
    elif isinstance(step, Deferred):
        mark_deferred(conn, ids, now + timedelta(seconds=step.after_seconds))
    elif isinstance(step, Retry):
        attempts = max(delivery.attempts for delivery in batch)
        wait = step.after_seconds if step.after_seconds is not None else backoff(attempts)
        mark_retry(conn, ids, now + timedelta(seconds=wait), step.reason, unknown=step.unknown)
    else:
        receivers = sorted({delivery.receiver for delivery in batch})
        which = str(ids[0]) if len(ids) == 1 else f"{ids[0]}..{ids[-1]} ({len(ids)})"
        log.warning("delivery %s to %s failed: %s", which, receivers, step.reason)
        mark_failed(conn, ids, step.reason)
