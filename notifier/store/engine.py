"""Engines for SQLite (WAL, busy timeout, BEGIN IMMEDIATE) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import orjson
import psycopg
from sqlalchemy import Connection, Engine, String, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.types import TypeEngine

from notifier.errors import UserError
from notifier.settings import PoolLimits
from notifier.store.schema import naive_utc


def normalise_url(url: str) -> str:
    """Accept the `postgres://` URLs PaaS add-ons hand out; route PostgreSQL to psycopg 3."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


T = TypeVar("T")

READ_ONLY = "notifier_read_only"
SQLITE_BUSY_SECONDS = 30.0
PG_CONNECT_SECONDS = 10
SQLITE_AUTOCHECKPOINT_BYTES = 40 * 1024 * 1024
SQLITE_PAGE_BYTES = 8192


def driver_reason(error: OperationalError) -> str:
    """The driver's own first line, for a log: never the statement and its parameters, which
    carry an event's body."""
    lines = str(error.orig).strip().splitlines()
    return lines[0] if lines else type(error.orig).__name__


def read_only(engine: Engine) -> Engine:
    """The same store for queries that write nothing (health, metrics, listings, digests)."""
    return engine.execution_options(**{READ_ONLY: True})


def make_engine(url: str, pool: PoolLimits | None = None) -> Engine:
    """`pool`: the PostgreSQL limits (the defaults of PoolLimits when not given)."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        raise UserError(f"DATABASE_URL is not a database URL: {_redact(url)!r}") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() == "postgresql":
        return _postgres_engine(parsed, pool or PoolLimits())
    raise UserError(f"DATABASE_URL must be sqlite:/// or postgres://, not {parsed.drivername!r}")


def _postgres_engine(url: URL, pool: PoolLimits) -> Engine:
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        # A host that drops packets would otherwise hold each connect for the system's TCP
        # timeout (minutes): requests must get their 503, and doctor its answer, in seconds.
        connect_args["connect_timeout"] = PG_CONNECT_SECONDS
    if pool.statement_timeout is not None:
        # Appended to any options the URL carries (a search_path, say), as libpq's own are.
        milliseconds = int(pool.statement_timeout.total_seconds() * 1000)
        given = url.query.get("options", "")
        given = given if isinstance(given, str) else " ".join(given)
        connect_args["options"] = f"{given} -c statement_timeout={milliseconds}".strip()
    engine = create_engine(
        url,
        pool_size=pool.size,
        max_overflow=pool.overflow,
        pool_pre_ping=True,
        connect_args=connect_args,
    )
    _DRIVER_PARAMS[engine] = {**engine.dialect.create_connect_args(url)[1], **connect_args}
    return engine


# What psycopg.connect gets for each engine's pooled connections, for connections of its own.
_DRIVER_PARAMS: weakref.WeakKeyDictionary[Engine, dict[str, Any]] = weakref.WeakKeyDictionary()


async def connect_async(engine: Engine) -> psycopg.AsyncConnection[Any]:
    """An autocommit connection of psycopg's own, driven by the event loop, to the PostgreSQL
    database of `engine` and made as its pool makes them (timeouts, options)."""
    return await psycopg.AsyncConnection.connect(**_DRIVER_PARAMS[engine], autocommit=True)


def _sqlite_engine(url: URL) -> Engine:
    connect_args = {"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False}
    # For a file, the last connection returned is the next one lent: work on the loop's thread
    # then keeps one connection, whose page cache stays valid between its transactions (SQLite
    # drops a connection's cache whenever another connection has written since its last one).
    # SQLAlchemy gives an in-memory database (by name or by `mode=memory`) a pool of one
    # connection per thread, which takes no such option.
    in_memory = url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"
    pool = {} if in_memory else {"pool_use_lifo": True}
    engine = create_engine(url, connect_args=connect_args, **pool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" below issue BEGIN IMMEDIATE instead of pysqlite's
        # deferred BEGIN, so two writers never deadlock upgrading read locks.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # For a new database only (an existing one keeps its page size). Twice SQLite's default:
        # each committed page is two writes to the WAL, and most of what the store writes is
        # appended (events, outcomes, their time-ordered indexes), so bigger pages halve those
        # writes; the one index keyed by a random Sid gets only twice the bytes per event.
        cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_BYTES}")
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process; only an OS crash can lose the last commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # A commit that takes the WAL past this size copies it into the database file before it
        # returns. Processes that run the background loops checkpoint five times a second in a
        # thread instead (`checkpoint`), so this only bounds the WAL of one that does not.
        page_bytes = cursor.execute("PRAGMA page_size").fetchone()[0]
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_BYTES // page_bytes}")
        cursor.close()

    writers = _WriterQueue()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Readers take no write lock: in WAL mode they never block the inbox's commits.
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN")
            return
        writers.enter()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            writers.leave()
            raise

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, _record: Any) -> None:
        writers.leave()

    return engine


class _WriterQueue:
    """Writers of one process take turns on a lock that hands over the moment a connection
    is returned after its commit. Left to SQLite, a writer that finds the database locked
    sleeps in steps of up to 100 ms: the inbox, the worker and the deliverer write many small
    transactions each second, and every such sleep would hold up the answers to Twilio.

    Each `with engine.begin()` runs in one thread, so the thread that began is the one that
    returns the connection; a thread that already holds its turn does not queue again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mine = threading.local()

    def enter(self) -> None:
        if getattr(self._mine, "holding", False):
            return
        # Past the busy timeout SQLite's own locking still keeps writers apart.
        self._mine.holding = self._lock.acquire(timeout=SQLITE_BUSY_SECONDS)

    def leave(self) -> None:
        if getattr(self._mine, "holding", False):
            self._mine.holding = False
            self._lock.release()


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]


def conflict_insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that takes ON CONFLICT DO NOTHING / DO UPDATE, in the connection's dialect
    (both supported backends speak it, with the same SQLAlchemy calls)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def upsert(conn: Connection, table: Table, keys: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Insert `rows`, or overwrite the other columns of rows whose `keys` already exist: one
    statement for all of them."""
    if not rows:
        return
    statement = conflict_insert(conn, table)
    updated = {name: statement.excluded[name] for name in rows[0] if name not in keys}
    conn.execute(statement.on_conflict_do_update(index_elements=keys, set_=updated), rows)


def driver_insert(
    table: Table, columns: Sequence[str], suffix: str = "", *, param: str = "?"
) -> str:
    """The INSERT of `columns` in the driver's own SQL (`param`: "?" for SQLite's driver, "%s"
    for psycopg's), for the hot paths that write plain tuples; built once, at import."""
    placeholders = ", ".join([param] * len(columns))
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})"
    return f"{statement} {suffix}" if suffix else statement


def json_rows_insert(table: Table, columns: Sequence[str], suffix: str = "") -> str:
    """PostgreSQL's INSERT of any number of rows given as one JSON array of objects keyed by
    column (`json_rows`). One short text whatever the count: psycopg converts it once and the
    server prepares it, where a multi-row VALUES is a new text, parsed and planned, per count."""
    names = ", ".join(f'"{name}"' for name in columns)
    types = ", ".join(f'"{name}" {_recordset_type(table.c[name].type)}' for name in columns)
    statement = (
        f"INSERT INTO {table.name} ({names}) SELECT {names} "
        f"FROM json_to_recordset(%s::json) AS batch ({types})"
    )
    return f"{statement} {suffix}" if suffix else statement


def _recordset_type(column_type: TypeEngine[Any]) -> str:
    """Text for any string column: read from JSON as VARCHAR(n), a long value would be cut to
    fit rather than refused as it is on insert."""
    if isinstance(column_type, String):
        return "TEXT"
    dialect = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
    return str(column_type.compile(dialect=dialect))


def json_rows(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """`rows` as `json_rows_insert` takes them (datetimes naive UTC, as ISO text)."""
    return orjson.dumps([dict(zip(columns, row, strict=True)) for row in rows]).decode()


async def run_for_loop(engine: Engine, work: Callable[[], T]) -> T:
    """Runs `work` (a few store calls) for the event loop. On SQLite, on the loop's own thread:
    a local file answers in microseconds, and in a second thread the work would spend more on
    winning Python's GIL back from the busy loop, once per statement step, than on the store.
    On PostgreSQL, in a thread, so that network round trips never stall the loop."""
    if engine.dialect.name == "sqlite":
        return work()
    return await asyncio.to_thread(work)


def checkpoint(engine: Engine) -> None:
    """Copy committed WAL pages into the SQLite database file without waiting for or blocking
    writers (a PASSIVE checkpoint). Off the event loop, the copying runs beside the requests
    rather than inside whichever commit crossed the auto-checkpoint mark. SQLite only."""
    connection = engine.raw_connection()
    try:
        connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        connection.close()


def sqlite_time(value: datetime) -> str:
    """An aware datetime as SQLAlchemy keeps it in SQLite (naive UTC text, always with
    microseconds), for rows written through the driver on hot paths, where SQLAlchemy's
    per-value binding costs more than the insert."""
    return naive_utc(value).isoformat(" ", "microseconds")
