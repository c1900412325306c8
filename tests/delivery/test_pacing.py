import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fakes import delivery
from fakes.delivery import Clock, make_deliverer, outbox, queue, slack_settings
from fakes.events import NOW
from fakes.notices import make_notice
from fakes.slack import FakeSlack
from sqlalchemy import Engine, select

from notifier.delivery import Deliverer
from notifier.delivery.transports import Transports
from notifier.metrics import Metrics
from notifier.rules.model import Rules
from notifier.store.pacing import hold_until, take_turn
from notifier.store.schema import notifications

SECOND = timedelta(seconds=1)
RULES = Rules(
    receivers={
        "slack": delivery.slack("slack", "#alerts"),
        "other": delivery.slack("other", "#other"),
    }
)


def rows(engine: Engine) -> list[Any]:
    return outbox(engine, "receiver", "status", "next_attempt_at")


def to(slack: FakeSlack, channel: str) -> list[Any]:
    return [r for r in slack.requests if r.body.get("channel") == channel]


Workers = Callable[..., Awaitable[None]]


def run(engine: Engine, slack: FakeSlack, clock: Clock, scenario: Workers) -> None:
    """Runs `scenario(make_worker)`; each call makes a fresh worker with its own Transports."""
    opened: list[Transports] = []

    def make_worker(**options: Any) -> Deliverer:
        deliverer, channels = make_deliverer(engine, RULES, slack_settings(slack), clock, **options)
        opened.append(channels)
        return deliverer

    async def go() -> None:
        try:
            await scenario(make_worker)
        finally:
            for channels in opened:
                await channels.aclose()

    asyncio.run(go())


def test_second_message_to_a_channel_in_the_same_second_waits_one_second(engine: Engine) -> None:
    clock, seen = Clock(), []

    async def scenario(make_worker: Callable[[], Deliverer]) -> None:
        worker = make_worker()
        queue(engine, make_notice("a"), make_notice("b"))
        for step in (0.0, 0.5, 0.5):
            clock.now += timedelta(seconds=step)
            queue(engine, make_notice(f"late {clock.now}"), at=clock.now)  # due, but not its turn
            await worker.run_once()
            seen.append(len(slack.requests))

    with FakeSlack() as slack:
        run(engine, slack, clock, scenario)
        assert seen == [1, 1, 2]  # at 0 s, 0.5 s, 1 s
    waiting = [row.next_attempt_at for row in rows(engine) if row.status == "pending"]
    assert waiting and min(waiting) >= NOW + SECOND


def test_two_workers_share_the_pace_of_a_channel(engine: Engine) -> None:
    clock = Clock()

    async def scenario(make_worker: Callable[..., Deliverer]) -> None:
        first, second = make_worker(batch_size=1), make_worker(batch_size=1)
        queue(engine, make_notice("a"), make_notice("b"))
        assert await asyncio.gather(first.run_once(), second.run_once()) == [1, 1]

    with FakeSlack() as slack:
        run(engine, slack, clock, scenario)
        assert len(slack.requests) == 1
    paced = [row for row in rows(engine) if row.status == "pending"]
    assert len(paced) == 1 and paced[0].next_attempt_at >= NOW + SECOND


def test_429_holds_the_channel_for_every_worker_until_retry_after(engine: Engine) -> None:
    clock = Clock()

    async def scenario(make_worker: Callable[[], Deliverer]) -> None:
        queue(engine, make_notice("a"))
        await make_worker().run_once()
        assert [r.status for r in slack.requests] == [429]
        slack.rate_limit(0, channel="#alerts")  # Slack has forgotten; the store has not
        for seconds in (10, 29):
            clock.now = NOW + timedelta(seconds=seconds)
            queue(engine, make_notice(f"at {seconds}"), at=clock.now)
            await make_worker().run_once()  # a fresh (restarted) worker each time
            assert len(slack.requests) == 1
        clock.now = NOW + timedelta(seconds=30)
        await make_worker().run_once()
        assert [r.status for r in slack.requests] == [429, 200]

    with FakeSlack() as slack:
        slack.rate_limit(30, channel="#alerts")
        run(engine, slack, clock, scenario)


def test_a_rate_limited_channel_does_not_hold_up_another(engine: Engine) -> None:
    clock = Clock()

    async def scenario(make_worker: Callable[[], Deliverer]) -> None:
        worker = make_worker()
        queue(engine, make_notice("a"), make_notice("b", "other"))
        await worker.run_once()

    with FakeSlack() as slack:
        slack.rate_limit(30, channel="#alerts")
        run(engine, slack, clock, scenario)
        assert [r.status for r in to(slack, "#other")] == [200]
    assert [row.status for row in rows(engine)] == ["pending", "sent"]


def test_waiting_for_the_channels_turn_counts_as_deferred_not_retry(engine: Engine) -> None:
    clock, metrics = Clock(), Metrics()

    async def scenario(make_worker: Callable[..., Deliverer]) -> None:
        queue(engine, make_notice("a"), make_notice("b"))
        await make_worker(metrics=metrics).run_once()

    with FakeSlack() as slack:
        run(engine, slack, clock, scenario)

    def count(status: str) -> float | None:
        labels = {"receiver": "slack", "status": status}
        return metrics.registry.get_sample_value("notifier_notifications_total", labels)

    assert (count("sent"), count("deferred"), count("retry")) == (1.0, 1.0, None)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(0.0, NOW + SECOND), (0.4, NOW + SECOND), (1.0, None)],
    ids=["same instant waits", "within the second waits", "a second later goes"],
)
def test_take_turn_allows_one_send_a_second(
    engine: Engine, offset: float, expected: datetime | None
) -> None:
    with engine.begin() as conn:
        assert take_turn(conn, "api:#alerts", NOW, SECOND) is None
        later = NOW + timedelta(seconds=offset)
        assert take_turn(conn, "api:#alerts", later, SECOND) == expected


def test_hold_until_never_shortens_a_hold(engine: Engine) -> None:
    with engine.begin() as conn:
        hold_until(conn, "api:#alerts", NOW + timedelta(seconds=30))
        hold_until(conn, "api:#alerts", NOW + timedelta(seconds=5))
        assert take_turn(conn, "api:#alerts", NOW, SECOND) == NOW + timedelta(seconds=30)


def test_waiting_for_the_channels_turn_uses_up_no_attempt(engine: Engine) -> None:
    clock = Clock()

    async def scenario(make_worker: Callable[[], Deliverer]) -> None:
        worker = make_worker()
        queue(engine, make_notice("a"))
        for _ in range(40):  # more turns missed than MAX_ATTEMPTS
            with engine.begin() as conn:
                hold_until(conn, "api:#alerts", clock.now + 10 * SECOND)
            await worker.run_once()
            clock.now = rows(engine)[0].next_attempt_at
        assert (rows(engine)[0].status, attempts(engine)) == ("pending", [0])
        clock.now += 10 * SECOND
        await worker.run_once()

    with FakeSlack() as slack:
        run(engine, slack, clock, scenario)
        assert len(slack.messages) == 1
    assert (rows(engine)[0].status, attempts(engine)) == ("sent", [1])


def test_deliveries_waiting_on_one_channel_come_due_one_second_apart(engine: Engine) -> None:
    async def scenario(make_worker: Callable[[], Deliverer]) -> None:
        queue(engine, *(make_notice(f"group {i}") for i in range(4)))
        await make_worker().run_once()

    with FakeSlack() as slack:
        run(engine, slack, Clock(), scenario)
    waiting = sorted(row.next_attempt_at for row in rows(engine) if row.status == "pending")
    assert waiting == [NOW + SECOND, NOW + 2 * SECOND, NOW + 3 * SECOND]


def attempts(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        query = select(notifications.c.attempts).order_by(notifications.c.id)
        return list(conn.execute(query).scalars())
