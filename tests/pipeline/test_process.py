import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fakes.events import NOW, PROD, TEST, make_incoming
from fakes.rules import CONSOLE_RULES, make_rules
from sqlalchemy import Engine, select

from notifier.delivery import Deliverer
from notifier.notices import Reason
from notifier.pipeline.groups import GroupState
from notifier.pipeline.memory import lock_groups
from notifier.pipeline.process import Pipeline
from notifier.rules.model import Rules
from notifier.store.events import IncomingEvent, insert_events, pending_backlog
from notifier.store.inhibit_marks import load_marks
from notifier.store.schema import event_outcomes, events, notifications
from notifier.store.silences import add_silence
from notifier.twilio.catalog import Catalog, ErrorCode
from notifier.worker import Worker

WEBHOOKS = '[[routes]]\nname = "webhooks"\nmatch = { error_code = ["11200"] }\n'
SMS = '[[routes]]\nname = "sms"\nmatch = { error_code = ["30007"] }\n'
DROP_TEST = f'[[routes]]\nname = "drop-test"\nmatch = {{ account_sid = "{TEST}" }}\ndrop = true\n'


def store(engine: Engine, *items: IncomingEvent, received: datetime = NOW) -> None:
    with engine.begin() as conn:
        insert_events(conn, items, received)


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_worker(
    engine: Engine,
    rules: Callable[[], Rules],
    clock: Clock,
    catalog: Catalog | None = None,
    batch_size: int = 500,
) -> Worker:
    pipeline = Pipeline(rules, catalog or Catalog())
    deliverer = Deliverer(engine, lambda _receiver: None, clock)
    return Worker(engine, pipeline, deliverer, batch_size=batch_size, clock=clock)


def sent(engine: Engine) -> list[tuple[str, str, int, int]]:
    """(reason, group_key, cycle, count) of every enqueued notice, oldest first; the console's
    "joined" lines are left out (tests/delivery/test_receiver_channels.py covers them)."""
    query = select(notifications.c.reason, notifications.c.group_key, notifications.c.cycle)
    query = query.add_columns(notifications.c.notice).order_by(notifications.c.id)
    query = query.where(notifications.c.reason != Reason.JOINED.value)
    with engine.connect() as conn:
        return [
            (row.reason, row.group_key, row.cycle, json.loads(row.notice)["count"])
            for row in conn.execute(query)
        ]


def outcomes(engine: Engine) -> list[tuple[int, str | None, str]]:
    query = select(event_outcomes.c.event_id, event_outcomes.c.route, event_outcomes.c.outcome)
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query.order_by(event_outcomes.c.event_id))]


def group_count(engine: Engine, key: str) -> int:
    with engine.connect() as conn:
        states = lock_groups(conn, [key])
    return states[key].event_count


WEBHOOKS_KEY = f"webhooks|error_code=11200|account_sid={PROD}"


def test_unmatched_event_is_recorded_and_not_alerted(engine: Engine) -> None:
    store(engine, make_incoming(error_code="82002"))
    worker = make_worker(engine, lambda: make_rules(CONSOLE_RULES, WEBHOOKS), Clock())

    assert worker.process_once() == 1

    assert [(route, outcome) for _, route, outcome in outcomes(engine)] == [(None, "unmatched")]
    assert sent(engine) == []
    with engine.connect() as conn:
        assert pending_backlog(conn) == (0, None)


def test_dropped_event_is_recorded_and_not_alerted(engine: Engine) -> None:
    store(engine, make_incoming(account_sid=TEST), make_incoming(account_sid=TEST))
    worker = make_worker(engine, lambda: make_rules(CONSOLE_RULES, DROP_TEST, WEBHOOKS), Clock())

    worker.process_once()

    assert [outcome for _, _, outcome in outcomes(engine)] == ["dropped", "dropped"]
    assert sent(engine) == []


def test_batch_of_one_group_enqueues_one_first_and_counts_every_event(engine: Engine) -> None:
    store(engine, *(make_incoming(NOW + timedelta(seconds=s)) for s in range(5)))
    worker = make_worker(engine, lambda: make_rules(CONSOLE_RULES, WEBHOOKS), Clock())

    worker.process_once()

    assert sent(engine) == [("first", WEBHOOKS_KEY, 1, 1)]
    assert group_count(engine, WEBHOOKS_KEY) == 5
    assert {outcome for _, _, outcome in outcomes(engine)} == {"alerted"}


def test_group_wait_first_notice_is_sent_by_flush_when_due(engine: Engine) -> None:
    store(engine, make_incoming(), make_incoming())
    clock = Clock()
    worker = make_worker(
        engine, lambda: make_rules(CONSOLE_RULES, '[defaults]\ngroup_wait = "30s"', WEBHOOKS), clock
    )
    worker.process_once()
    clock.advance(29)
    assert (worker.flush_once(), sent(engine)) == (0, [])

    clock.advance(1)

    assert worker.flush_once() == 1
    assert sent(engine) == [("first", WEBHOOKS_KEY, 1, 2)]


def test_restart_mid_group_sends_no_second_first_and_keeps_counting(engine: Engine) -> None:
    clock = Clock()
    store(engine, make_incoming(), make_incoming())
    make_worker(engine, lambda: make_rules(CONSOLE_RULES, WEBHOOKS), clock).process_once()

    clock.advance(10)
    store(engine, *(make_incoming(clock.now) for _ in range(3)))
    restarted = make_worker(engine, lambda: make_rules(CONSOLE_RULES, WEBHOOKS), clock)
    restarted.process_once()
    clock.advance(50)
    restarted.flush_once()

    assert sent(engine) == [("first", WEBHOOKS_KEY, 1, 1), ("new_in_group", WEBHOOKS_KEY, 1, 5)]


def test_reload_with_routes_reordered_keeps_group_state(engine: Engine) -> None:
    clock = Clock()
    current = {"rules": make_rules(CONSOLE_RULES, WEBHOOKS, SMS)}
    worker = make_worker(engine, lambda: current["rules"], clock)
    store(engine, make_incoming(), make_incoming(error_code="30007"))
    worker.process_once()

    current["rules"] = make_rules(CONSOLE_RULES, SMS, WEBHOOKS)
    clock.advance(5)
    store(engine, make_incoming(clock.now), make_incoming(clock.now, error_code="30007"))
    worker.process_once()
    clock.advance(60)
    worker.flush_once()

    reasons = sorted((reason, key.split("|")[0], count) for reason, key, _, count in sent(engine))
    assert reasons == [
        ("first", "sms", 1),
        ("first", "webhooks", 1),
        ("new_in_group", "sms", 2),
        ("new_in_group", "webhooks", 2),
    ]


class FlakyCatalog(Catalog):
    """Fails the `fail_at`-th lookup once, like a crash in the middle of a batch."""

    def __init__(self, fail_at: int) -> None:
        super().__init__({"11200": ErrorCode("11200", "HTTP retrieval failure", None)})
        self.lookups = 0
        self.fail_at = fail_at

    def lookup(self, code: str | None) -> ErrorCode | None:
        self.lookups += 1
        if self.lookups == self.fail_at:
            raise RuntimeError("crash mid-batch")
        return super().lookup(code)


def test_batch_that_raises_midway_leaves_no_trace_and_is_processed_once_later(
    engine: Engine,
) -> None:
    clock = Clock()
    store(engine, *(make_incoming() for _ in range(5)), make_incoming(error_code="11205"))
    rules = make_rules(CONSOLE_RULES, WEBHOOKS)
    worker = make_worker(engine, lambda: rules, clock, FlakyCatalog(fail_at=4))

    with pytest.raises(RuntimeError, match="crash mid-batch"):
        worker.process_once()
    assert (outcomes(engine), sent(engine)) == ([], [])
    with engine.connect() as conn:
        assert load_marks(conn) == {}
        assert pending_backlog(conn)[0] == 6
    assert worker.process_once() == 0  # still leased to the batch that crashed

    clock.advance(61)
    assert worker.process_once() == 6
    assert worker.process_once() == 0

    assert [event_id for event_id, _, _ in outcomes(engine)] == list(range(1, 7))
    assert sent(engine) == [("first", WEBHOOKS_KEY, 1, 1)]
    assert group_count(engine, WEBHOOKS_KEY) == 5


def test_rules_that_fail_to_load_leave_the_batch_for_later(engine: Engine) -> None:
    clock = Clock()
    store(engine, make_incoming())
    healthy = {"ok": False}

    def rules() -> Rules:
        if not healthy["ok"]:
            raise RuntimeError("rules unavailable")
        return make_rules(CONSOLE_RULES, WEBHOOKS)

    worker = make_worker(engine, rules, clock)
    with pytest.raises(RuntimeError):
        worker.process_once()
    healthy["ok"] = True
    clock.advance(61)

    assert worker.process_once() == 1
    assert sent(engine) == [("first", WEBHOOKS_KEY, 1, 1)]


def test_silenced_event_is_recorded_and_not_alerted(engine: Engine) -> None:
    with engine.begin() as conn:
        add_silence(
            conn, {"error_code": "11200"}, NOW - timedelta(hours=1), NOW + timedelta(hours=1), "x"
        )
    store(engine, make_incoming(), make_incoming(error_code="30007"))

    make_worker(engine, lambda: make_rules(CONSOLE_RULES, WEBHOOKS, SMS), Clock()).process_once()

    assert [(route, outcome) for _, route, outcome in outcomes(engine)] == [
        ("webhooks", "silenced"),
        ("sms", "alerted"),
    ]
    assert [reason for reason, *_ in sent(engine)] == ["first"]


def test_late_event_stamped_before_a_silence_was_added_is_silenced(engine: Engine) -> None:
    with engine.begin() as conn:
        add_silence(conn, {"error_code": "11200"}, NOW, NOW + timedelta(hours=1), "x")
    store(engine, make_incoming(NOW - timedelta(minutes=1)))

    make_worker(engine, lambda: make_rules(CONSOLE_RULES, WEBHOOKS), Clock()).process_once()

    assert [outcome for _, _, outcome in outcomes(engine)] == ["silenced"]
    assert sent(engine) == []


INHIBIT_11200_BY_11205 = """
[[inhibit]]
when = { error_code = "11205" }
suppress = { error_code = "11200" }
equal = ["account_sid"]
for = "10m"
"""


def test_inhibit_runs_on_the_times_the_bot_received_the_events(engine: Engine) -> None:
    rules = make_rules(CONSOLE_RULES, WEBHOOKS, INHIBIT_11200_BY_11205)
    clock = Clock()
    worker = make_worker(engine, lambda: rules, clock)
    store(engine, make_incoming(NOW - timedelta(hours=3), error_code="11205"))  # a late delivery
    worker.process_once()

    clock.advance(60)
    store(engine, make_incoming(clock.now), received=clock.now)
    worker.process_once()

    assert [outcome for _, _, outcome in outcomes(engine)] == ["unmatched", "inhibited"]
    assert sent(engine) == []


NIGHTLY_DEPLOY = """
[time_windows.nightly-deploy]
times = ["02:00-02:30"]
"""
MUTED_WEBHOOKS = (
    '[[routes]]\nname = "webhooks"\nmatch = { error_code = ["11200"] }\n'
    'mute_during = ["nightly-deploy"]\n'
)


@pytest.mark.parametrize(
    ("stamped", "processed", "expected"),
    [
        (datetime(2024, 6, 4, 1, 55, tzinfo=UTC), datetime(2024, 6, 4, 2, 5, tzinfo=UTC), "muted"),
        (
            datetime(2024, 6, 4, 2, 5, tzinfo=UTC),
            datetime(2024, 6, 4, 2, 35, tzinfo=UTC),
            "alerted",
        ),
    ],
    ids=[
        "stamped-before-the-window-processed-in-it-is-muted",
        "stamped-in-the-window-processed-after-it-is-alerted",
    ],
)
def test_mute_window_runs_on_the_time_the_worker_processes_the_event(
    engine: Engine, stamped: datetime, processed: datetime, expected: str
) -> None:
    rules = make_rules(CONSOLE_RULES, MUTED_WEBHOOKS, NIGHTLY_DEPLOY)
    store(engine, make_incoming(stamped), received=stamped)

    make_worker(engine, lambda: rules, Clock(processed)).process_once()

    assert [outcome for _, _, outcome in outcomes(engine)] == [expected]


def test_group_state_round_trips_through_the_store(engine: Engine) -> None:
    store(engine, make_incoming(), make_incoming(NOW + timedelta(seconds=1)))
    make_worker(engine, lambda: make_rules(CONSOLE_RULES, WEBHOOKS), Clock()).process_once()

    with engine.connect() as conn:
        state = lock_groups(conn, [WEBHOOKS_KEY])[WEBHOOKS_KEY]
        processed = conn.execute(select(events.c.processed_at)).scalars().all()

    assert (state.event_count, state.first_seen, state.last_seen) == (
        2,
        NOW,
        NOW + timedelta(seconds=1),
    )
    assert GroupState.from_json(state.to_json()) == state
    assert processed == [NOW, NOW]


def test_a_batch_that_fails_to_process_waits_out_its_lease(engine: Engine) -> None:
    store(engine, make_incoming())
    clock = Clock()

    def broken_rules() -> Rules:
        raise RuntimeError("the rules could not be read")

    with pytest.raises(RuntimeError):
        make_worker(engine, broken_rules, clock).process_once()
    worker = make_worker(engine, lambda: make_rules(CONSOLE_RULES, WEBHOOKS), clock)
    at_once = worker.process_once()
    clock.advance(61)
    after_the_lease = worker.process_once()

    assert (at_once, after_the_lease) == (0, 1)
    assert outcomes(engine)[0][1:] == ("webhooks", "alerted")
