"""The inbox writer: each request is answered once its events are committed, with the keys that
were new to the store; on PostgreSQL one slow commit does not hold up the others; at stop,
requests still waiting get their commit and their answer."""

from __future__ import annotations

import asyncio
import time

import pytest
from fakes.events import NOW, make_incoming
from sqlalchemy import Engine, func, select

from notifier.ingest.writer import InboxWriter
from notifier.store.events import insert_events
from notifier.store.schema import events


def stored_keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(events.c.dedup_key)).scalars())


def test_concurrent_requests_store_every_event_once_and_each_new_key_is_one_requests(
    engine: Engine,
) -> None:
    keys = [f"debugger:NO{i:032d}" for i in range(300)]
    # Every tenth key arrives twice at once (Twilio's retry racing its first delivery).
    deliveries = keys + keys[::10]

    async def deliver_all() -> list[set[str]]:
        writer = InboxWriter(engine)
        writer.start()
        answers = await asyncio.gather(
            *(writer.store([make_incoming(key=key)]) for key in deliveries)
        )
        await writer.stop()
        return answers

    answers = asyncio.run(deliver_all())

    assert sorted(stored_keys(engine)) == sorted(keys)
    claimed = [key for answer in answers for key in answer]
    assert sorted(claimed) == sorted(keys)  # each new key told to exactly one request


def test_on_postgres_a_request_waiting_on_a_row_lock_does_not_hold_up_the_others(
    engine: Engine,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes one writer at a time by design")
    locked = make_incoming(key="debugger:NOLOCKED")
    # Another process's transaction holds the row of this key, uncommitted: an INSERT of the
    # same key waits for it to end.
    holder = engine.connect()
    transaction = holder.begin()
    insert_events(holder, [locked], NOW)

    async def scenario() -> tuple[set[str], set[str]]:
        writer = InboxWriter(engine)
        writer.start()
        waiting = asyncio.ensure_future(writer.store([locked]))
        await asyncio.sleep(0.2)  # its batch is committing, blocked on the lock
        try:
            other = await asyncio.wait_for(
                writer.store([make_incoming(key="debugger:NOOTHER")]), timeout=10
            )
            still_waiting = not waiting.done()
        finally:  # the other transaction gives up: the waiting insert goes on
            transaction.rollback()
        first = await asyncio.wait_for(waiting, timeout=10)
        await writer.stop()
        assert still_waiting
        return other, first

    try:
        other, first = asyncio.run(scenario())
    finally:
        holder.close()

    assert other == {"debugger:NOOTHER"}
    assert first == {"debugger:NOLOCKED"}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar_one() == 2


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
    assert sorted(stored_keys(engine)) == ["debugger:NO0", "debugger:NO1", "debugger:NO2"]


def test_an_idle_writer_stops_at_once(engine: Engine) -> None:
    async def scenario() -> float:
        writer = InboxWriter(engine)
        writer.start()
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await writer.stop()
        return time.monotonic() - started

    assert asyncio.run(scenario()) < 1
