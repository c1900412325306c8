"""A worker asked to stop claims nothing more and returns once its sends are handed back."""

import asyncio
import time
from datetime import UTC, datetime

from fakes.delivery import outbox
from fakes.events import make_incoming
from fakes.rules import make_rules
from sqlalchemy import Engine

from notifier.delivery import Deliverer
from notifier.delivery.console_channel import ConsoleChannel
from notifier.delivery.directory import ReceiverChannels
from notifier.delivery.outcome import Paced
from notifier.delivery.transports import Transports
from notifier.pipeline.process import Pipeline
from notifier.render.context import RenderContext
from notifier.rules.model import ConsoleConfig
from notifier.settings import Settings
from notifier.store.events import insert_events
from notifier.store.outbox import HANDED_BACK_NOTE, Delivery
from notifier.twilio.catalog import Catalog
from notifier.worker import Worker

RULES = '[receivers.local]\nconsole = {}\n[[routes]]\nname = "all"\nmatch = {}\n'


class Hangs(ConsoleChannel):
    async def send(self, delivery: Delivery, message: str) -> Paced:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def hanging_worker(engine: Engine, drain: float) -> Worker:
    hangs = Hangs(ConsoleConfig(), "local", Transports.start(Settings(), engine))
    channels = ReceiverChannels("local", {"console": hangs}, RenderContext(), {})
    deliverer = Deliverer(engine, lambda _receiver: channels, lambda: datetime.now(UTC))
    rules = make_rules(RULES)
    return Worker(engine, Pipeline(lambda: rules, Catalog()), deliverer, drain=drain)


async def until(check: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)


def test_stopped_worker_returns_within_its_drain_and_hands_back_the_hanging_send(
    engine: Engine,
) -> None:
    async def scenario() -> float:
        worker = hanging_worker(engine, drain=0.3)
        running = asyncio.create_task(worker.run())
        with engine.begin() as conn:
            insert_events(conn, [make_incoming(datetime.now(UTC))], datetime.now(UTC))
        worker.stored([])
        await until(lambda: outbox(engine, "attempts") == [(1,)])  # claimed: the send hangs
        started = time.monotonic()
        worker.stop()
        await running
        return time.monotonic() - started

    took = asyncio.run(scenario())

    assert took < 2
    assert outbox(engine, "status", "attempts", "last_error") == [("pending", 0, HANDED_BACK_NOTE)]
