"""A worker asked to stop claims nothing more and returns once its sends are handed back."""

import asyncio
import time
from datetime import UTC, datetime

import pytest
from fakes.delivery import outbox
from fakes.events import make_incoming
from fakes.rules import make_rules
from sqlalchemy import Engine, text

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


# A dropped table stands in for the outage: on SQLite it is an OperationalError, as a lost
# PostgreSQL connection is (tests/e2e/test_scale_out.py stops a real PostgreSQL).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_store_out_of_reach_is_logged_once_per_outage_without_a_traceback(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    worker = hanging_worker(engine, drain=0.3)
    with engine.begin() as conn:  # as if the database went away under the worker
        conn.execute(text("DROP TABLE events"))

    async def steps() -> None:
        for _ in range(3):
            await worker._step()

    asyncio.run(steps())
    records = [r for r in caplog.records if r.name == "notifier.worker"]
    assert [r.getMessage() for r in records] == [
        "the store is out of reach, retrying: no such table: events"
    ]
    assert records[0].exc_info is None
