"""The reference and ceiling apps of DESIGN section 9, served by the same uvicorn as the bot.

* reference: a minimal Starlette app that parses the same form body, checks the signature with
  twilio's RequestValidator against PUBLIC_URL + path, and inserts one row per request into
  SQLite (WAL, synchronous=NORMAL like the bot), committing before it answers 200.
* reference-pg: the same app storing into PostgreSQL instead (DESIGN section 9, PostgreSQL row):
  one `INSERT ... ON CONFLICT DO NOTHING` per request, autocommit (so committed before the 200),
  on a connection taken from a pool of psycopg 3 async connections (as many as the bot's
  SQLAlchemy pool keeps: 10).
* ceiling: a bare Starlette app that answers 200 without reading anything.

Run: python -m bench.reference {reference,reference-pg,ceiling} --port P [--db FILE-OR-URL]
Env: TWILIO_AUTH_TOKEN, PUBLIC_URL (as for `notifier serve`).

uvicorn.run is called with the same options as notifier/cli/serve.py, so with uvicorn[standard]
installed it picks the same loop and protocol ("auto": uvloop and httptools).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import parse_qsl

import psycopg
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    received_at REAL NOT NULL,
    raw_body TEXT NOT NULL
)
"""
SCHEMA_PG = """
CREATE TABLE IF NOT EXISTS events (
    id BIGSERIAL PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    received_at DOUBLE PRECISION NOT NULL,
    raw_body TEXT NOT NULL
)
"""
INSERT_PG = (
    "INSERT INTO events (dedup_key, received_at, raw_body) VALUES (%s, %s, %s) "
    "ON CONFLICT (dedup_key) DO NOTHING"
)
PG_POOL_SIZE = 10  # the bot's SQLAlchemy pool_size on PostgreSQL (notifier/store/engine.py)

# Stores one request's row, durably, before the answer: (dedup key, raw body).
Store = Callable[[str, str], Awaitable[None]]
Lifespan = Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]


def open_db(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute(SCHEMA)
    return conn


def sqlite_store(path: str) -> Store:
    conn = open_db(path)

    async def store(dedup_key: str, body: str) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO events (dedup_key, received_at, raw_body) VALUES (?, ?, ?)",
            (dedup_key, time.time(), body),
        )  # autocommit: one transaction per request, committed before the answer

    return store


class PgPool:
    """A minimal pool: `size` autocommit psycopg 3 async connections handed out by a queue."""

    def __init__(self, url: str, size: int = PG_POOL_SIZE) -> None:
        self._url = url
        self._size = size
        self._idle: asyncio.Queue[psycopg.AsyncConnection[tuple[object, ...]]] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self._size):
            conn = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
            self._idle.put_nowait(conn)
        conn = await self._idle.get()
        await conn.execute(SCHEMA_PG)
        self._idle.put_nowait(conn)

    async def close(self) -> None:
        while not self._idle.empty():
            await self._idle.get_nowait().close()

    async def store(self, dedup_key: str, body: str) -> None:
        conn = await self._idle.get()
        try:  # autocommit: the INSERT is its own transaction, committed before the answer
            await conn.execute(INSERT_PG, (dedup_key, time.time(), body))
        finally:
            self._idle.put_nowait(conn)


def reference_app(
    store: Store, token: str, public_url: str, lifespan: Lifespan | None = None
) -> Starlette:
    """Form parse, signature check, `store`; the same for every store."""
    validator = RequestValidator(token)
    base = public_url.rstrip("/")

    async def debugger(request: Request) -> Response:
        body = (await request.body()).decode("utf-8", "replace")
        params = dict(parse_qsl(body, keep_blank_values=True))
        signature = request.headers.get("x-twilio-signature", "")
        if not validator.validate(base + request.url.path, params, signature):
            return PlainTextResponse("invalid signature\n", status_code=403)
        sid = params.get("Sid")
        if not sid:
            return PlainTextResponse("missing Sid\n", status_code=400)
        await store("debugger:" + sid, body)
        return PlainTextResponse("ok\n")

    async def readyz(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    return Starlette(
        routes=[
            Route("/twilio/debugger", debugger, methods=["POST"]),
            Route("/readyz", readyz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def reference_pg_app(url: str, token: str, public_url: str) -> Starlette:
    pool = PgPool(url)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await pool.open()  # on uvicorn's own event loop
        try:
            yield
        finally:
            await pool.close()

    return reference_app(pool.store, token, public_url, lifespan)


def ceiling_app() -> Starlette:
    async def ok(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    return Starlette(
        routes=[
            Route("/twilio/debugger", ok, methods=["POST"]),
            Route("/readyz", ok, methods=["GET"]),
        ]
    )


def make_app(kind: str, db: str) -> Starlette:
    if kind == "ceiling":
        return ceiling_app()
    token, public_url = os.environ["TWILIO_AUTH_TOKEN"], os.environ["PUBLIC_URL"]
    if kind == "reference-pg":
        return reference_pg_app(db, token, public_url)
    return reference_app(sqlite_store(db), token, public_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", choices=("reference", "reference-pg", "ceiling"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--db", default="reference.db", help="SQLite file, or for reference-pg a PostgreSQL URL"
    )
    args = parser.parse_args()
    # The same options as `notifier serve` with LOG_LEVEL=WARNING.
    uvicorn.run(
        make_app(args.app, args.db),
        host=args.host,
        port=args.port,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
