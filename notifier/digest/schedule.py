"""When digests run: cron fire times, periods, the exactly-once claim, and the APScheduler clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.base import BaseTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from sqlalchemy import Engine

from notifier.digest.build import DigestReport, build_report
from notifier.events import utcnow
from notifier.rules.cron import cron_trigger
from notifier.rules.model import Digest, Rules
from notifier.store.digests import claim_run, had_history, run_claimed
from notifier.store.engine import read_only
from notifier.twilio.catalog import Catalog

log = logging.getLogger(__name__)

GRACE = timedelta(hours=6)  # a run missed while down is still sent this long after its time
ON_TIME = timedelta(minutes=5)  # sent later than this after its time, a run is marked late
_LOOKBACKS = (timedelta(hours=2), timedelta(days=2), timedelta(days=9), timedelta(days=367))
SYNC_SECONDS = 60


class RunOutcome(StrEnum):
    """What the clock did about a digest's most recent scheduled time."""

    SENT = "sent"
    SENT_LATE = "sent_late"
    CLAIMED_ELSEWHERE = "claimed_elsewhere"  # another process or an earlier start sent it
    MISSED = "missed"  # older than the grace period: skipped and logged
    NOT_SCHEDULED = "not_scheduled"  # no such digest, or its cron never fired yet
    NOTHING_MISSED = "nothing_missed"  # on start: the store had seen nothing before that time


def last_fire(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest fire time at or before `now`."""
    for lookback in _LOOKBACKS:
        latest = None
        fire = trigger.get_next_fire_time(None, now - lookback)
        while fire is not None and fire <= now:
            latest = fire
            fire = _next_after(trigger, fire)
        if latest is not None:
            return latest.astimezone(UTC)  # type: ignore[no-any-return]
    return None


def _next_after(trigger: CronTrigger, fire: datetime) -> datetime | None:
    """The next fire strictly after `fire`; a wall-clock time repeated when clocks go back
    counts once, as in cron (APScheduler 3 returns it twice, the second time forever)."""
    fire = fire.astimezone(trigger.timezone)  # the wall-clock time, whatever zone it came in
    probe = fire + timedelta(seconds=1)
    for _ in range(3):
        following = trigger.get_next_fire_time(None, probe)
        if following is None:
            return None
        repeated = following.replace(tzinfo=None) == fire.replace(tzinfo=None)
        if following > fire and not repeated:
            return following  # type: ignore[no-any-return]
        probe += timedelta(hours=1)
    return None


def period_for(digest: Digest, trigger: CronTrigger, end: datetime) -> tuple[datetime, datetime]:
    """[start, end): `period` before `end`, else since the previous scheduled time."""
    if digest.period is not None:
        return end - digest.period, end
    previous = last_fire(trigger, end - timedelta(seconds=1))
    return (previous or end - timedelta(days=1)), end


def digest_trigger(digest: Digest, rules: Rules) -> CronTrigger:
    return cron_trigger(digest.schedule, ZoneInfo(rules.settings.timezone))


class OncePerWallClock(BaseTrigger):  # type: ignore[misc]
    """The digest's CronTrigger as the scheduler's trigger: each fire strictly after the
    previous one, and a wall-clock time repeated when clocks go back fires once, as in cron.

    APScheduler 3's CronTrigger, given a previous fire time in UTC (as a persistent job store
    hands it back) at the second occurrence of a repeated hour and `now` equal to it, returns
    that same time again (its `start_date == previous_fire_time` is never true across zones for
    a second occurrence, PEP 495): the scheduler's run-time loop (`Job._get_run_times`) never
    ends. Its in-memory job store keeps the zone the trigger answered in, which avoids it today.
    """

    def __init__(self, cron: CronTrigger) -> None:
        self.cron = cron

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if previous_fire_time is None:
            return self.cron.get_next_fire_time(None, now)  # type: ignore[no-any-return]
        return _next_after(self.cron, previous_fire_time)

    def __str__(self) -> str:
        return f"once per wall-clock time: {self.cron}"


Send = Callable[[DigestReport, Digest, Rules], object]


@dataclass
class DigestClock:
    """Sends each digest once per scheduled period, whichever process gets there first."""

    engine: Engine
    rules: Callable[[], Rules]
    catalog: Catalog
    send: Send
    grace: timedelta = GRACE

    def run_due(self, name: str, now: datetime, *, catching_up: bool = False) -> RunOutcome:
        """Send the digest `name` for its latest scheduled time unless that was sent already."""
        rules = self.rules()
        digest = next((d for d in rules.digests if d.name == name), None)
        if digest is None:
            return RunOutcome.NOT_SCHEDULED
        trigger = digest_trigger(digest, rules)
        fire = last_fire(trigger, now)
        if fire is None:
            return RunOutcome.NOT_SCHEDULED
        start, end = period_for(digest, trigger, fire)
        late = now - fire > ON_TIME
        if late and catching_up and not self._had_history(digest.name, fire):
            return RunOutcome.NOTHING_MISSED
        if now - fire > self.grace:
            return self._missed(digest, start, fire)
        with self.engine.begin() as conn:
            if not claim_run(conn, digest.name, start, end, now, late=late):
                return RunOutcome.CLAIMED_ELSEWHERE
        # Built outside the claim so that SQLite's write lock is not held for the whole build.
        with read_only(self.engine).connect() as conn:
            report = build_report(conn, digest, start, end, self.catalog, late=late)
        # Claimed and committed first: a crash before `send` has queued it in the outbox loses
        # this period's digest, never doubles it; once queued, it is retried like any alert.
        self.send(report, digest, rules)
        return RunOutcome.SENT_LATE if late else RunOutcome.SENT

    def _missed(self, digest: Digest, start: datetime, fire: datetime) -> RunOutcome:
        with self.engine.connect() as conn:
            if run_claimed(conn, digest.name, start):
                return RunOutcome.CLAIMED_ELSEWHERE
        log.warning(
            "digest %s: the run of %s is more than %s old, skipped",
            digest.name,
            fire.isoformat(),
            self.grace,
        )
        return RunOutcome.MISSED

    def catch_up(self, now: datetime) -> dict[str, RunOutcome]:
        """On start: send what was missed while no clock ran (within the grace period)."""
        names = [digest.name for digest in self.rules().digests]
        return {name: self.run_due(name, now, catching_up=True) for name in names}

    def _had_history(self, name: str, fire: datetime) -> bool:
        # A new install (or a store that received nothing yet) missed no digest: without this
        # the first start would send yesterday's empty digest, marked late.
        with read_only(self.engine).connect() as conn:
            return had_history(conn, name, fire)


def start_clock(clock: DigestClock, now: Callable[[], datetime] = utcnow) -> BackgroundScheduler:
    """Catch up, then run each digest on its CronTrigger in a background thread."""
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(clock.catch_up, args=[now()], id="digest-catch-up")
    scheduler.add_job(
        sync_jobs, "interval", seconds=SYNC_SECONDS, args=[scheduler, clock, now], id="digest-sync"
    )
    sync_jobs(scheduler, clock, now)
    scheduler.start()
    return scheduler


def sync_jobs(
    scheduler: BackgroundScheduler, clock: DigestClock, now: Callable[[], datetime]
) -> None:
    """One job per digest of the rules in force; a reload adds, removes or reschedules them."""
    rules = clock.rules()
    wanted = {f"digest:{d.name}:{d.schedule}:{rules.settings.timezone}": d for d in rules.digests}
    for job in scheduler.get_jobs():
        if job.id.startswith("digest:") and job.id not in wanted:
            job.remove()
    for job_id, digest in wanted.items():
        if scheduler.get_job(job_id) is None:
            scheduler.add_job(
                _run_job,
                OncePerWallClock(digest_trigger(digest, rules)),
                args=[clock, digest.name, now],
                id=job_id,
                coalesce=True,
                misfire_grace_time=int(clock.grace.total_seconds()),
            )


def _run_job(clock: DigestClock, name: str, now: Callable[[], datetime]) -> None:
    try:
        outcome = clock.run_due(name, now())
    except Exception:
        log.exception("digest %s: the scheduled run failed", name)
        return
    log.info("digest %s: %s", name, outcome)
