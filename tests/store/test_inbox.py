"""The inbox's own PostgreSQL connections: kept between batches, made afresh after the server
went away (without failing a request that could be stored), closed when the writer stops."""

import asyncio
import os
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fakes.events import NOW, make_incoming
from fakes.private_pg import PrivatePostgres, private_postgres
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from notifier.ingest.writer import InboxWriter
from notifier.settings import PoolLimits
from notifier.store.engine import make_engine
from notifier.store.events import insert_events
from notifier.store.migrations import migrate

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("TEST_POSTGRES_URL"), reason="needs TEST_POSTGRES_URL"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[PrivatePostgres]:
    """A server of these tests' own: one is restarted, the other counts its sessions."""
    with private_postgres() as pg:
        yield pg


@pytest.fixture
def store(server: PrivatePostgres) -> Iterator[Engine]:
    engine = make_engine(server.url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE events"))
    yield engine
    engine.dispose()


def sessions(engine: Engine) -> int:
    """Sessions on the database other than the one asking."""
    query = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with engine.connect() as conn:
        return int(conn.execute(text(query)).scalar_one())


def test_a_request_after_the_server_restarted_is_stored_on_a_new_connection(
    server: PrivatePostgres, store: Engine
) -> None:
    async def scenario() -> tuple[set[str], set[str]]:
        writer = InboxWriter(store)
        writer.start()
        before = await writer.store([make_incoming(key="debugger:NOBEFORE")])
        await asyncio.to_thread(server.stop)  # every session of the inbox ends with the server
        await asyncio.to_thread(server.start)
        after = await writer.store([make_incoming(key="debugger:NOAFTER")])
        await writer.stop()
        return before, after

    assert asyncio.run(scenario()) == ({"debugger:NOBEFORE"}, {"debugger:NOAFTER"})


def test_a_request_while_the_server_is_away_fails_as_the_store_does() -> None:
    # Nothing listens on port 1: the endpoint answers 503 to SQLAlchemy's OperationalError.
    engine = make_engine("postgresql://postgres@127.0.0.1:1/test")

    async def scenario() -> None:
        writer = InboxWriter(engine)
        writer.start()
        try:
            await writer.store([make_incoming(key="debugger:NODOWN")])
        finally:
            await writer.stop()

    with pytest.raises(OperationalError, match="Connection refused"):
        asyncio.run(scenario())


def test_the_writer_keeps_its_connections_between_batches_and_closes_them_at_stop(
    store: Engine,
) -> None:
    store.dispose()
    idle = sessions(store)

    async def scenario() -> tuple[int, int]:
        writer = InboxWriter(store)
        writer.start()
        for n in range(20):
            await writer.store([make_incoming(key=f"debugger:NO{n}")])
        during = sessions(store)
        await writer.stop()
        return during, sessions(store)

    during, after = asyncio.run(scenario())

    assert during == idle + 1  # one request at a time: one batch in flight, one connection
    assert after == idle


def test_a_batch_held_on_a_lock_past_the_statement_timeout_fails_its_request(
    server: PrivatePostgres, store: Engine
) -> None:
    # Another process inserts the same Sid and never commits: the inbox's INSERT waits on its
    # row. The inbox's connections carry DATABASE_STATEMENT_TIMEOUT as the pool's do, so the
    # request fails (answered 503, Twilio retries) instead of hanging.
    impatient = make_engine(server.url, PoolLimits(statement_timeout=timedelta(seconds=1)))
    locked = make_incoming(key="debugger:NOLOCKED")
    holder = store.connect()
    transaction = holder.begin()
    insert_events(holder, [locked], NOW)

    async def scenario() -> None:
        writer = InboxWriter(impatient)
        writer.start()
        try:
            await asyncio.wait_for(writer.store([locked]), timeout=20)
        finally:
            await writer.stop()

    started = time.monotonic()
    try:
        with pytest.raises(OperationalError, match="statement timeout"):
            asyncio.run(scenario())
    finally:
        transaction.rollback()
        holder.close()
        impatient.dispose()
    assert time.monotonic() - started < 10
