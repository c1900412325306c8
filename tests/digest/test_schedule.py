from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]
from fakes.digests import store_event
from sqlalchemy import Engine, select

from notifier.digest.build import DigestReport
from notifier.digest.schedule import (
    DigestClock,
    OncePerWallClock,
    RunOutcome,
    last_fire,
    period_for,
    sync_jobs,
)
from notifier.rules.cron import cron_trigger
from notifier.rules.model import Digest, GeneralSettings, Rules
from notifier.store.engine import make_engine
from notifier.store.migrations import migrate
from notifier.store.schema import digest_runs
from notifier.twilio.catalog import Catalog


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "zone", "now", "fired"),
    [
        pytest.param(
            "0 9 * * mon-fri",
            "Europe/Berlin",
            utc(3, 14, 12),
            utc(3, 13, 8),
            id="names-saturday-means-friday",
        ),
        pytest.param(
            "0 9 * * 1-5",
            "Europe/Berlin",
            utc(3, 14, 12),
            utc(3, 13, 8),
            id="numbers-1-5-are-mon-fri",
        ),
        pytest.param(
            "0 9 * * 0", "Europe/Berlin", utc(3, 17, 12), utc(3, 15, 8), id="zero-is-sunday"
        ),
        pytest.param(
            "0 9 * * 7", "Europe/Berlin", utc(3, 17, 12), utc(3, 15, 8), id="seven-is-sunday"
        ),
        pytest.param(
            "0 9 * * sun", "Europe/Berlin", utc(3, 17, 12), utc(3, 15, 8), id="sun-is-sunday"
        ),
        pytest.param(
            "0 9 * * *", "Europe/Berlin", utc(3, 28, 12), utc(3, 28, 8), id="winter-time-utc-plus-1"
        ),
        pytest.param(
            "0 9 * * *",
            "Europe/Berlin",
            utc(3, 29, 12),
            utc(3, 29, 7),
            id="after-spring-forward-utc-plus-2",
        ),
        pytest.param(
            "0 9 * * *",
            "America/New_York",
            utc(3, 9, 15),
            utc(3, 9, 13),
            id="new-york-after-its-change",
        ),
        pytest.param(
            "30 2 * * *",
            "Europe/Berlin",
            utc(3, 29, 12),
            utc(3, 29, 1, 30),
            id="skipped-hour-runs-after-the-jump",
        ),
        pytest.param(
            "30 2 * * *",
            "Europe/Berlin",
            utc(10, 25, 12),
            utc(10, 25, 0, 30),
            id="repeated-hour-runs-once",
        ),
        pytest.param(
            "0 9 * * mon-fri",
            "Europe/Berlin",
            utc(3, 13, 8),
            utc(3, 13, 8),
            id="exactly-at-the-time",
        ),
    ],
)
def test_latest_scheduled_time_follows_cron_in_the_timezone(
    schedule: str, zone: str, now: datetime, fired: datetime
) -> None:
    assert last_fire(cron_trigger(schedule, ZoneInfo(zone)), now) == fired


@pytest.mark.parametrize(
    ("period", "end", "start"),
    [
        pytest.param(None, utc(3, 16, 8), utc(3, 13, 8), id="monday-covers-since-friday"),
        pytest.param(timedelta(days=1), utc(3, 16, 8), utc(3, 15, 8), id="fixed-period"),
    ],
)
def test_period_runs_since_the_previous_scheduled_time_unless_fixed(
    period: timedelta | None, end: datetime, start: datetime
) -> None:
    digest = Digest("morning", "0 9 * * mon-fri", ("local",), period=period)
    trigger = cron_trigger(digest.schedule, ZoneInfo("Europe/Berlin"))
    assert period_for(digest, trigger, end) == (start, end)


def test_a_daily_period_across_spring_forward_is_23_hours() -> None:
    trigger = cron_trigger("0 9 * * *", ZoneInfo("Europe/Berlin"))
    start, end = period_for(Digest("d", "0 9 * * *", ()), trigger, utc(3, 29, 7))
    assert end - start == timedelta(hours=23)


MORNING = Digest("morning", "0 9 * * mon-fri", ("local",))
RULES = Rules(settings=GeneralSettings(timezone="Europe/Berlin"), digests=(MORNING,))
FRIDAY_NINE = utc(3, 13, 8)


def make_clock(engine: Engine, sent: list[DigestReport]) -> DigestClock:
    return DigestClock(engine, lambda: RULES, Catalog(), lambda report, *_: sent.append(report))


def test_the_scheduled_run_is_sent_once_however_often_it_is_asked(engine: Engine) -> None:
    store_event(engine, utc(3, 12, 12), error_code="11200")
    sent: list[DigestReport] = []
    clock = make_clock(engine, sent)
    assert clock.run_due("morning", FRIDAY_NINE) is RunOutcome.SENT
    assert (
        clock.run_due("morning", FRIDAY_NINE + timedelta(seconds=30))
        is RunOutcome.CLAIMED_ELSEWHERE
    )
    (report,) = sent
    assert (report.start, report.end, report.total, report.late) == (
        utc(3, 12, 8),
        FRIDAY_NINE,
        1,
        False,
    )


def test_a_restart_across_the_scheduled_time_sends_it_once_marked_late(engine: Engine) -> None:
    store_event(engine, utc(3, 12, 12), error_code="11200")  # the bot was running before
    sent: list[DigestReport] = []
    back_up = FRIDAY_NINE + timedelta(hours=2)
    assert make_clock(engine, sent).catch_up(back_up) == {"morning": RunOutcome.SENT_LATE}
    assert make_clock(engine, sent).catch_up(back_up + timedelta(minutes=1)) == {
        "morning": RunOutcome.CLAIMED_ELSEWHERE
    }
    assert [report.late for report in sent] == [True]


def test_a_new_install_sends_no_late_digest_of_the_time_before_it(engine: Engine) -> None:
    sent: list[DigestReport] = []
    outcome = make_clock(engine, sent).catch_up(FRIDAY_NINE + timedelta(hours=2))

    assert outcome == {"morning": RunOutcome.NOTHING_MISSED}
    assert sent == []


def test_a_new_install_started_long_after_the_time_logs_no_missed_digest(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    sent: list[DigestReport] = []
    outcome = make_clock(engine, sent).catch_up(FRIDAY_NINE + timedelta(hours=8))

    assert outcome == {"morning": RunOutcome.NOTHING_MISSED}
    assert (sent, caplog.text) == ([], "")


def test_a_run_older_than_the_grace_period_is_skipped_and_logged(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    sent: list[DigestReport] = []
    outcome = make_clock(engine, sent).run_due("morning", FRIDAY_NINE + timedelta(hours=7))
    assert outcome is RunOutcome.MISSED and sent == []
    assert (
        "digest morning: the run of 2026-03-13T08:00:00+00:00 is more than 6:00:00 old, skipped"
        in caplog.text
    )
    with engine.connect() as conn:
        assert conn.execute(select(digest_runs.c.id)).first() is None


def test_an_unknown_digest_is_not_scheduled(engine: Engine) -> None:
    assert make_clock(engine, []).run_due("evening", FRIDAY_NINE) is RunOutcome.NOT_SCHEDULED


def test_two_clocks_at_the_same_scheduled_time_send_one_digest(database_url: str) -> None:
    """Two processes' worth of clocks: each its own engine and connections, racing on the claim."""
    engines = [make_engine(database_url) for _ in range(2)]
    migrate(engines[0])
    sent: list[DigestReport] = []
    outcomes: list[RunOutcome] = []
    barrier = threading.Barrier(2)

    def run(engine: Engine) -> None:
        clock = make_clock(engine, sent)
        barrier.wait()
        outcomes.append(clock.run_due("morning", FRIDAY_NINE))

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert sorted(outcomes) == [RunOutcome.CLAIMED_ELSEWHERE, RunOutcome.SENT]
    assert len(sent) == 1


def test_jobs_follow_the_digests_of_the_rules_in_force(engine: Engine) -> None:
    rules = [RULES]
    clock = DigestClock(engine, lambda: rules[0], Catalog(), lambda *_: None)
    scheduler = BackgroundScheduler(timezone=UTC)
    sync_jobs(scheduler, clock, lambda: FRIDAY_NINE)
    assert [job.id for job in scheduler.get_jobs()] == [
        "digest:morning:0 9 * * mon-fri:Europe/Berlin"
    ]
    weekly = Digest("weekly", "0 8 * * mon", ("local",))
    rules[0] = Rules(settings=RULES.settings, digests=(weekly,))
    sync_jobs(scheduler, clock, lambda: FRIDAY_NINE)
    assert [job.id for job in scheduler.get_jobs()] == ["digest:weekly:0 8 * * mon:Europe/Berlin"]


def scheduler_wakeups(
    trigger: object, start: datetime, until: datetime, delay: timedelta
) -> list[list[datetime]]:
    """The run times of each wake-up, computed as APScheduler 3's scheduler loop does
    (`Job._get_run_times`, then `get_next_fire_time(last run, now)`), waking `delay` late and
    keeping fire times in UTC as a persistent job store does."""
    wakeups: list[list[datetime]] = []
    next_run = trigger.get_next_fire_time(None, start)  # type: ignore[attr-defined]
    while next_run is not None and next_run <= until:
        assert len(wakeups) < 100, "the same wake-up again and again: the scheduler would spin"
        now = next_run.astimezone(UTC) + delay
        runs: list[datetime] = []
        while next_run is not None and next_run <= now:
            runs.append(next_run.astimezone(UTC))
            assert len(runs) < 10, "the same fire time again and again: the scheduler would spin"
            next_run = trigger.get_next_fire_time(runs[-1], now)  # type: ignore[attr-defined]
        wakeups.append(runs)
        next_run = trigger.get_next_fire_time(runs[-1], now)  # type: ignore[attr-defined]
    return wakeups


def test_apscheduler_cron_gives_the_same_time_again_in_a_repeated_hour() -> None:
    """Pins the upstream behaviour OncePerWallClock exists for (APScheduler 3.11): with that
    answer the scheduler's run-time loop never ends."""
    trigger = cron_trigger("30 2 * * *", ZoneInfo("Europe/Berlin"))
    second = utc(10, 25, 1, 30)  # 02:30 CET, after 02:30 CEST an hour earlier
    # (== between zones is never true for the second occurrence, PEP 495: compare in UTC.)
    assert trigger.get_next_fire_time(second, second).astimezone(UTC) == second


@pytest.mark.parametrize(
    ("schedule", "zone", "start"),
    [
        pytest.param("30 2 * * *", "Europe/Berlin", utc(10, 24, 0), id="berlin"),
        pytest.param("30 1 * * *", "America/New_York", utc(10, 31, 0), id="new-york"),
        pytest.param("30 2 * * *", "Europe/Berlin", utc(3, 28, 0), id="berlin-spring"),
    ],
)
@pytest.mark.parametrize(
    "delay",
    [
        pytest.param(timedelta(0), id="on-time"),
        pytest.param(timedelta(seconds=1), id="1s-late"),
        pytest.param(timedelta(minutes=65), id="65min-late"),
    ],
)
def test_a_digest_job_fires_once_a_day_across_a_clock_change(
    schedule: str, zone: str, start: datetime, delay: timedelta
) -> None:
    trigger = OncePerWallClock(cron_trigger(schedule, ZoneInfo(zone)))
    wakeups = scheduler_wakeups(trigger, start, start + timedelta(days=3), delay)
    assert [len(runs) for runs in wakeups] == [1, 1, 1]
    runs = [runs[0] for runs in wakeups]
    assert runs == sorted(set(runs))


def test_a_digest_in_the_repeated_hour_is_sent_once(engine: Engine) -> None:
    nightly = Digest("nightly", "30 2 * * *", ("local",))
    rules = Rules(settings=GeneralSettings(timezone="Europe/Berlin"), digests=(nightly,))
    sent: list[DigestReport] = []
    clock = DigestClock(engine, lambda: rules, Catalog(), lambda report, *_: sent.append(report))
    assert clock.run_due("nightly", utc(10, 25, 0, 30)) is RunOutcome.SENT
    assert clock.run_due("nightly", utc(10, 25, 1, 30)) is RunOutcome.CLAIMED_ELSEWHERE
    assert [(report.start, report.end) for report in sent] == [
        (utc(10, 24, 0, 30), utc(10, 25, 0, 30))
    ]
