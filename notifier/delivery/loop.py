"""The delivery loop: claim due outbox rows, plan them (alone or folded), render, send each job
through its channel within a time limit, and record what happened."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Engine

from notifier.delivery.classify import classify_transport_error
from notifier.delivery.log_ids import log_ids
from notifier.delivery.outcome import Failed, Paced, Retry
from notifier.delivery.plan import Job, Lookup, plan
from notifier.delivery.record import steps, store
from notifier.delivery.render import render
from notifier.metrics import Metrics
from notifier.store.engine import run_for_loop
from notifier.store.outbox import (
    Delivery,
    DeliveryStatus,
    claim_deliveries,
    claim_for_channels,
    claim_ids,
    hand_back,
)

log = logging.getLogger(__name__)

# The longest one job (a Slack post with its duplicate check and its parent's refresh, three
# calls of at most 10 s each) may run before it is given up and retried.
JOB_TIMEOUT = 30.0
LEASE_MARGIN = timedelta(seconds=15)

Results = dict[int, Paced]


class Deliverer:
    """One slow or failing channel never holds up the others, nor the caller: every job is
    sent concurrently, recorded as soon as it ends, and ends within `job_timeout` seconds."""

    def __init__(
        self,
        engine: Engine,
        lookup: Lookup,
        clock: Callable[[], datetime],
        *,
        metrics: Metrics | None = None,
        batch_size: int = 100,
        job_timeout: float = JOB_TIMEOUT,
        lease: timedelta | None = None,
    ) -> None:
        self._engine = engine
        self._lookup = lookup
        self._clock = clock
        self._metrics = metrics
        self._batch_size = batch_size
        self._job_timeout = job_timeout
        # Longer than any job may take, so a live worker's deliveries are never claimed twice;
        # short, so a dead worker's come back soon (and are checked before they are resent).
        self._lease = lease or timedelta(seconds=job_timeout) + LEASE_MARGIN
        self._sending: set[asyncio.Task[None]] = set()
        # Claimed and not yet recorded: what `stop` hands back if it cuts the sends short.
        self._held: dict[int, Delivery] = {}

    async def run_once(self) -> int:
        """Claims due deliveries and sends them; returns, once all are recorded, how many."""
        claimed = await self.start_once()
        await self.wait()
        return claimed

    async def start_once(self) -> int:
        """Claims due deliveries and starts sending them; returns how many, without waiting."""
        deliveries = await self._claimed(partial(claim_deliveries, limit=self._batch_size))
        return await self._start(deliveries, {})

    async def send_now(self, ids: Sequence[int]) -> Results:
        """Sends these deliveries (if due) at once and returns each one's outcome by id."""
        results: Results = {}
        await self._start(await self._claimed(partial(claim_ids, ids=list(ids))), results)
        await self.wait()
        return results

    async def wait(self) -> None:
        """Until every job started so far is sent and recorded."""
        while self._sending:
            await asyncio.wait(set(self._sending))

    async def stop(self, grace: float = 0.0) -> None:
        """Lets the jobs in flight end within `grace` seconds, then cancels the rest and hands
        their deliveries back, due at once, so that none waits out its lease after a restart."""
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=grace)
        for task in set(self._sending):
            task.cancel()
        await asyncio.gather(*self._sending, return_exceptions=True)
        if not self._held:
            return
        held, ids = sorted(self._held), log_ids(list(self._held.values()))
        try:
            await run_for_loop(self._engine, partial(self._hand_back, held))
        except Exception:  # the store is down: their leases run out, as after a crash
            log.exception("stopping: could not hand back %d deliveries", len(held), extra=ids)
        else:
            log.warning("stopping: handed back %d unfinished deliveries", len(held), extra=ids)
            self._held.clear()

    def _hand_back(self, ids: list[int]) -> None:
        with self._engine.begin() as conn:
            hand_back(conn, ids, self._clock())

    async def _start(self, deliveries: list[Delivery], results: Results) -> int:
        if not deliveries:
            return 0
        jobs = [await self._whole_backlog(job) for job in plan(deliveries, self._lookup)]
        running = {asyncio.create_task(self._run(job)): job for job in jobs}
        task = asyncio.create_task(self._record_as_they_end(running, results))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)
        await asyncio.sleep(0)  # the sends start (up to their first request) before we go on
        return sum(len(job.deliveries) for job in jobs)

    async def _claimed(self, claim: Callable[..., list[Delivery]]) -> list[Delivery]:
        def claimed() -> list[Delivery]:
            with self._engine.begin() as conn:
                return claim(conn, now=self._clock(), lease=self._lease)

        deliveries = await run_for_loop(self._engine, claimed)
        self._held.update((delivery.id, delivery) for delivery in deliveries)
        return deliveries

    async def _whole_backlog(self, job: Job) -> Job:
        """A storm job also takes its lane's due notices beyond this batch: one summary."""
        if not job.fold or job.route is None:
            return job
        targets = list(job.route.lane_targets)
        more = await self._claimed(partial(claim_for_channels, channels=targets))
        return Job(job.deliveries + more, job.route, fold=True)

    async def _record_as_they_end(
        self, running: dict[asyncio.Task[Paced], Job], results: Results
    ) -> None:
        try:
            while running:
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                ended = [(running.pop(task), task.result()) for task in done]
                results.update((d.id, outcome) for job, outcome in ended for d in job.deliveries)
                try:
                    await run_for_loop(self._engine, partial(self._record, ended))
                finally:
                    # Unless cut off mid-record by `stop`, which then hands them back.
                    if not asyncio.current_task().cancelling():  # type: ignore[union-attr]
                        self._release(ended)
        except Exception:  # the leases run out and the deliveries are claimed again
            log.exception("recording deliveries failed")
        finally:
            for task in running:
                task.cancel()
            # Ended before the session they use is closed (`Transports.aclose`).
            await asyncio.gather(*running, return_exceptions=True)

    def _release(self, ended: list[tuple[Job, Paced]]) -> None:
        """Recorded, or failed to be (their leases then run out): no longer this process's to
        hand back. On the loop's thread, where `stop` reads `_held`, not in `_record`'s."""
        for job, _ in ended:
            for delivery in job.deliveries:
                self._held.pop(delivery.id, None)

    async def _run(self, job: Job) -> Paced:
        try:
            async with asyncio.timeout(self._job_timeout):
                return await self._job(job)
        except TimeoutError as error:
            ids = log_ids(job.deliveries)
            log.warning(
                "delivery to %s took over %ss: given up", _names(job), self._job_timeout, extra=ids
            )
            return classify_transport_error(error)
        except Exception as error:  # a bug in one channel must not stop the loop
            log.exception(
                "delivery to %s failed unexpectedly", _names(job), extra=log_ids(job.deliveries)
            )
            return Retry(None, f"unexpected error: {type(error).__name__}")

    async def _job(self, job: Job) -> Paced:
        if job.route is None:
            delivery = job.deliveries[0]
            return Failed(f"receiver {delivery.receiver!r} is not in rules.toml any more")
        if job.fold:
            count, ids = len(job.deliveries), log_ids(job.deliveries)
            log.warning("storm: folding %d deliveries to %s", count, _names(job), extra=ids)
            return await job.route.channel.fold(job.deliveries)
        delivery = job.deliveries[0]
        message = render(job.route, delivery)
        return await job.route.channel.send(delivery, message)

    def _record(self, ended: list[tuple[Job, Paced]]) -> None:
        now = self._clock()
        counted: Counter[tuple[str, DeliveryStatus]] = Counter()
        with self._engine.begin() as conn:
            for job, outcome in ended:
                grouped = steps(job.deliveries, outcome, folded=job.fold)
                for (status, step), batch in grouped.items():
                    store(conn, batch, step, now, status)
                    counted.update((delivery.receiver, status) for delivery in batch)
        if self._metrics is not None:
            for (receiver, status), count in counted.items():
                self._metrics.notifications.labels(receiver, status.value).inc(count)


def _names(job: Job) -> list[str]:
    return sorted({delivery.receiver for delivery in job.deliveries})
