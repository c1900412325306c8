"""A Slack that never answers holds up neither the other receivers nor new events."""

import asyncio
import time
from datetime import UTC, datetime

from fakes import delivery
from fakes.delivery import Clock, queue, run, slack_settings
from fakes.events import make_incoming
from fakes.notices import make_notice
from fakes.rules import make_rules
from fakes.slack import FakeSlack
from fakes.smtp import Inbox, smtp_server
from sqlalchemy import Engine, select

from notifier.delivery import Deliverer
from notifier.delivery.console_channel import ConsoleChannel
from notifier.delivery.directory import Directory, ReceiverChannels
from notifier.delivery.outcome import SendResult
from notifier.delivery.transports import Transports
from notifier.pipeline.process import Pipeline
from notifier.render.context import RenderContext
from notifier.rules.model import ConsoleConfig, Rules
from notifier.settings import Settings
from notifier.store.events import IncomingEvent, insert_events
from notifier.store.outbox import Delivery
from notifier.store.schema import notifications
from notifier.twilio.catalog import Catalog
from notifier.worker import Worker

RECEIVERS = {
    "slack": delivery.slack("slack", "#alerts"),
    "mail": delivery.email("mail", "ops@example.com"),
}
RULES = """
[receivers.slack]
slack = { channel = "#alerts" }
[receivers.mail]
email = { to = ["ops@example.com"] }
[[routes]]
name = "voice"
match = { error_code = ["11200"] }
receivers = ["slack"]
[[routes]]
name = "sms"
match = { error_code = ["30007"] }
receivers = ["mail"]
"""


def settings(slack: FakeSlack, port: int) -> Settings:
    # Longer than the test waits: Slack hangs throughout, as it would for minutes.
    smtp = {"smtp_url": f"smtp://127.0.0.1:{port}", "email_from": "bot@example.com"}
    return slack_settings(slack, slack_timeout=30, **smtp)


def statuses(engine: Engine) -> dict[str, str]:
    query = select(notifications.c.receiver, notifications.c.status)
    with engine.connect() as conn:
        return {row.receiver: row.status for row in conn.execute(query)}


async def until(check: object, seconds: float = 5.0) -> float:
    """Seconds until `check()` is true (fails after `seconds`)."""
    started = time.monotonic()
    while not check():  # type: ignore[operator]
        assert time.monotonic() - started < seconds, "timed out waiting"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


def test_email_is_sent_and_recorded_while_slack_hangs(engine: Engine) -> None:
    inbox = Inbox()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice("voice", "slack"))
        await deliverer.start_once()  # the Slack post hangs
        queue(engine, make_notice("sms", "mail"))
        await deliverer.start_once()
        waited = await until(lambda: statuses(engine).get("mail") == "sent")
        assert waited < 2 and len(inbox.messages) == 1
        assert statuses(engine)["slack"] == "pending"
        await deliverer.stop()

    with FakeSlack() as slack, smtp_server(inbox) as port:
        slack.hang()
        run(engine, Rules(receivers=RECEIVERS), settings(slack, port), Clock(), scenario)


def store(engine: Engine, worker: Worker, item: IncomingEvent) -> None:
    with engine.begin() as conn:
        insert_events(conn, [item], datetime.now(UTC))
    worker.stored([])


def test_new_events_are_processed_and_emailed_while_slack_hangs(engine: Engine) -> None:
    inbox = Inbox()
    rules = make_rules(RULES)

    async def scenario(transports: Transports) -> None:
        deliverer = Deliverer(engine, Directory(rules, transports), _now)
        worker = Worker(engine, Pipeline(lambda: rules, Catalog()), deliverer, clock=_now)
        running = asyncio.create_task(worker.run())
        try:
            store(engine, worker, make_incoming(datetime.now(UTC), key="NO1"))
            await until(lambda: "slack" in statuses(engine))
            store(engine, worker, make_incoming(datetime.now(UTC), key="NO2", error_code="30007"))
            assert await until(lambda: statuses(engine).get("mail") == "sent") < 3
            assert len(inbox.messages) == 1 and statuses(engine)["slack"] == "pending"
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)

    with FakeSlack() as slack, smtp_server(inbox) as port:
        slack.hang()
        transports = Transports.start(settings(slack, port), engine, _now)

        async def go() -> None:
            try:
                await scenario(transports)
            finally:
                await transports.aclose()

        asyncio.run(go())


class Hangs(ConsoleChannel):
    """A channel whose sends never end."""

    async def send(self, delivery: Delivery, message: str) -> SendResult:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def _now() -> datetime:
    return datetime.now(UTC)


def test_a_send_that_overruns_the_job_timeout_is_retried_and_checked_before_resending(
    engine: Engine,
) -> None:
    hangs = Hangs(ConsoleConfig(), "slack", Transports.start(Settings(), engine))
    hanging = ReceiverChannels("slack", {"console": hangs}, RenderContext(), {})
    clock = Clock()
    deliverer = Deliverer(engine, lambda _receiver: hanging, clock, job_timeout=0.2)
    queue(engine, make_notice("voice", "slack"))
    started = time.monotonic()
    assert asyncio.run(deliverer.run_once()) == 1
    assert time.monotonic() - started < 2
    query = select(
        notifications.c.status, notifications.c.last_error, notifications.c.in_doubt_since
    )
    with engine.connect() as conn:
        assert conn.execute(query).one() == ("pending", "timed out", clock.now)
