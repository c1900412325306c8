"""DESIGN section 10 for delivery: outages, a refused SMTP server, two workers on one outbox."""

import asyncio
import threading
from datetime import timedelta
from typing import Any

from fakes import delivery
from fakes.bot import free_port
from fakes.delivery import Clock, make_deliverer, outbox, queue, run, slack_settings
from fakes.events import NOW
from fakes.notices import make_notice
from fakes.slack import FakeSlack
from fakes.smtp import Inbox, smtp_server
from sqlalchemy import Engine

from notifier.delivery import Deliverer
from notifier.rules.model import Rules
from notifier.settings import Settings


def rows(engine: Engine) -> list[Any]:
    return outbox(engine, "receiver", "status", "attempts", "last_error", "next_attempt_at")


def test_slack_down_for_five_minutes_then_every_pending_alert_is_delivered_once(
    engine: Engine,
) -> None:
    clock = Clock()
    rules = Rules(receivers={"slack": delivery.slack("slack", "#alerts")})
    groups = [f"webhooks|11200|PN{i}" for i in range(4)]

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, *(make_notice(group) for group in groups))
        while clock.now < NOW + timedelta(minutes=20):
            if clock.now >= NOW + timedelta(minutes=5):
                slack.fail_next(0)  # Slack is back
            await deliverer.run_once()
            clock.now += timedelta(seconds=5)

    with FakeSlack() as slack:
        slack.fail_next(10_000, status=500)
        run(engine, rules, slack_settings(slack), clock, scenario)
        statuses = [r.status for r in slack.requests]
        assert len(slack.messages) == statuses.count(200) == len(groups)
        assert statuses.index(200) > 0 and 500 not in statuses[statuses.index(200) :]
    assert {(row.status, row.last_error) for row in rows(engine)} == {("sent", None)}
    assert all(row.attempts > 1 for row in rows(engine))


def test_smtp_refused_is_retried_with_backoff_while_slack_gets_the_notice_at_once(
    engine: Engine,
) -> None:
    clock, inbox, port = Clock(), Inbox(), free_port()
    rules = Rules(
        receivers={
            "slack": delivery.slack("slack", "#alerts"),
            "mail": delivery.email("mail", "ops@example.com"),
        }
    )
    waits: list[float] = []

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice("webhooks|11200", "slack", "mail"))
        for _ in range(3):  # nothing listens on the SMTP port
            await deliverer.run_once()
            assert len(slack.messages) == 1
            mail = rows(engine)[1]
            assert mail.status == "pending" and "SMTP connection failed" in mail.last_error
            waits.append((mail.next_attempt_at - clock.now).total_seconds())
            clock.now = mail.next_attempt_at
        with smtp_server(inbox, port):
            await deliverer.run_once()

    with FakeSlack() as slack:
        settings = slack_settings(
            slack, smtp_url=f"smtp://127.0.0.1:{port}", email_from="bot@example.com"
        )
        run(engine, rules, settings, clock, scenario)
        assert len(slack.messages) == 1
    assert waits == sorted(waits) and waits[-1] > waits[0]  # exponential backoff
    assert len(inbox.messages) == 1
    assert [(row.receiver, row.status) for row in rows(engine)] == [
        ("slack", "sent"),
        ("mail", "sent"),
    ]


def test_two_workers_in_two_threads_share_one_outbox_and_send_each_delivery_once(
    engine: Engine,
) -> None:
    clock = Clock()
    names = [f"r{i}" for i in range(200)]
    rules = delivery.rules_of(*(delivery.slack(name, f"#{name}") for name in names))
    queue(engine, *(make_notice(f"group-{name}", name) for name in names))
    claimed: list[int] = []

    def worker(settings: Settings) -> None:
        async def drain() -> None:
            deliverer, channels = make_deliverer(engine, rules, settings, clock, batch_size=20)
            try:
                while count := await deliverer.run_once():
                    claimed.append(count)
            finally:
                await channels.aclose()

        asyncio.run(drain())

    with FakeSlack() as slack:
        settings = slack_settings(slack)
        threads = [threading.Thread(target=worker, args=(settings,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        posted = sorted(message["channel"] for message in slack.messages)
    assert posted == sorted(f"#{name}" for name in names)
    assert sum(claimed) == 200
    assert {(row.status, row.attempts) for row in rows(engine)} == {("sent", 1)}
