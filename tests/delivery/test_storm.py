from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from fakes import delivery
from fakes.delivery import Clock, queue, slack_settings
from fakes.notices import make_notice
from fakes.slack import FakeSlack
from sqlalchemy import Engine, select

from notifier.delivery import Deliverer
from notifier.metrics import Metrics
from notifier.notices import Notice
from notifier.rules.model import Rules
from notifier.store.schema import notifications


def storm(count: int, receiver: str = "slack") -> list[Notice]:
    return [make_notice(f"webhooks|11200|PN{i:04d}", receiver) for i in range(count)]


def rows(engine: Engine, receiver: str = "slack") -> list[Any]:
    query = (
        select(notifications.c.status, notifications.c.last_error)
        .where(notifications.c.receiver == receiver)
        .order_by(notifications.c.id)
    )
    with engine.connect() as conn:
        return list(conn.execute(query))


def run(
    engine: Engine,
    slack: FakeSlack,
    scenario: Callable[[Deliverer], Awaitable[None]],
    clock: Clock | None = None,
    metrics: Metrics | None = None,
) -> None:
    receivers = {
        "slack": delivery.slack("slack", "#alerts"),
        "other": delivery.slack("other", "#other"),
        "hook": delivery.webhook("hook", slack.webhook_url()),
    }
    rules = Rules(receivers=receivers)
    delivery.run(engine, rules, slack_settings(slack), clock or Clock(), scenario, metrics=metrics)


def posts_to(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [message for message in slack.messages if message["channel"] == channel]


def test_fifty_new_groups_on_one_channel_fold_into_one_storm_summary(engine: Engine) -> None:
    metrics = Metrics()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, *storm(50))
        assert await deliverer.run_once() == 50

    with FakeSlack() as slack:
        run(engine, slack, scenario, metrics=metrics)
        [summary] = posts_to(slack, "#alerts")
        assert summary["text"].startswith("Storm: 50 alerts for 50 groups")
    assert set(rows(engine)) == {("sent", "folded into storm summary")}
    labels = {"receiver": "slack", "status": "folded"}
    assert metrics.registry.get_sample_value("notifier_notifications_total", labels) == 50


def test_a_storm_does_not_hold_up_other_channels(engine: Engine) -> None:
    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, *storm(50), make_notice("quiet", "other"))
        await deliverer.run_once()

    with FakeSlack() as slack:
        run(engine, slack, scenario)
        assert len(posts_to(slack, "#alerts")) == 1
        assert len(posts_to(slack, "#other")) == 1
    assert [row.status for row in rows(engine, "other")] == ["sent"]


def test_a_few_deliveries_are_paced_not_folded(engine: Engine) -> None:
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, *storm(5))
        for _ in range(6):
            await deliverer.run_once()
            clock.now += timedelta(seconds=1)

    with FakeSlack() as slack:
        run(engine, slack, scenario, clock)
        posts = posts_to(slack, "#alerts")
        assert len(posts) == 5 and not any(p["text"].startswith("Storm") for p in posts)
    assert [row.status for row in rows(engine)] == ["sent"] * 5


def test_a_storm_on_a_webhook_receiver_folds_too(engine: Engine) -> None:
    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, *storm(20, receiver="hook"))
        await deliverer.run_once()

    with FakeSlack() as slack:
        run(engine, slack, scenario)
        [summary] = slack.messages
        assert summary["text"].startswith("Storm: 20 alerts")
    assert set(rows(engine, "hook")) == {("sent", "folded into storm summary")}


def test_a_rate_limited_storm_summary_is_retried_for_every_folded_delivery(
    engine: Engine,
) -> None:
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, *storm(50))
        await deliverer.run_once()
        assert {row.status for row in rows(engine)} == {"pending"}
        slack.rate_limit(0, channel="#alerts")
        clock.now += timedelta(seconds=30)
        await deliverer.run_once()

    with FakeSlack() as slack:
        slack.rate_limit(30, channel="#alerts")
        run(engine, slack, scenario, clock)
        assert [r.status for r in slack.requests] == [429, 200]
        [summary] = posts_to(slack, "#alerts")
        assert summary["text"].startswith("Storm: 50 alerts")
    assert set(rows(engine)) == {("sent", "folded into storm summary")}


def test_a_backlog_beyond_one_batch_folds_into_a_single_summary(engine: Engine) -> None:
    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, *storm(500), make_notice("quiet", "other"))
        assert await deliverer.run_once() == 500  # a batch of 100 took the whole storm
        assert await deliverer.run_once() == 1

    with FakeSlack() as slack:
        run(engine, slack, scenario)
        [summary] = posts_to(slack, "#alerts")
        assert summary["text"].startswith("Storm: 500 alerts for 500 groups")
        assert len(posts_to(slack, "#other")) == 1
    assert set(rows(engine)) == {("sent", "folded into storm summary")}
    assert [row.status for row in rows(engine, "other")] == ["sent"]
