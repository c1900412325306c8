"""The inbox writer's stop: requests still waiting for a commit get it, and their answer."""

import asyncio
import time

from fakes.events import make_incoming
from sqlalchemy import Engine, func, select

from notifier.ingest.writer import InboxWriter
from notifier.store.schema import events


def stored_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def test_requests_waiting_when_the_writer_stops_are_committed_and_answered(engine: Engine) -> None:
    async def scenario() -> list[set[str]]:
        writer = InboxWriter(engine)
        writer.start()
        keys = [f"debugger:NO{n}" for n in range(3)]
        waiting = [asyncio.create_task(writer.store([make_incoming(key=key)])) for key in keys]
        await asyncio.sleep(0)  # the requests are queued, not yet committed
        await writer.stop()
        return await asyncio.gather(*waiting)

    answers = asyncio.run(scenario())

    assert answers == [{"debugger:NO0"}, {"debugger:NO1"}, {"debugger:NO2"}]
    assert stored_count(engine) == 3


def test_an_idle_writer_stops_at_once(engine: Engine) -> None:
    async def scenario() -> float:
        writer = InboxWriter(engine)
        writer.start()
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await writer.stop()
        return time.monotonic() - started

    assert asyncio.run(scenario()) < 1
