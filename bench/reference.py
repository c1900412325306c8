"""The reference and ceiling apps of DESIGN section 9, served by the same uvicorn as the bot.

* reference: a minimal Starlette app that parses the same form body, checks the signature with
  twilio's RequestValidator against PUBLIC_URL + path, and inserts one row per request into
  SQLite (WAL, synchronous=NORMAL like the bot), committing before it answers 200.
* ceiling: a bare Starlette app that answers 200 without reading anything.

Run: python -m bench.reference {reference,ceiling} --port P [--db FILE]
Env: TWILIO_AUTH_TOKEN, PUBLIC_URL (as for `notifier serve`).

uvicorn.run is called with the same options as notifier/cli/serve.py, so with uvicorn[standard]
installed it picks the same loop and protocol ("auto": uvloop and httptools).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import time
from urllib.parse import parse_qsl

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


def open_db(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute(SCHEMA)
    return conn


def reference_app(db_path: str, token: str, public_url: str) -> Starlette:
    conn = open_db(db_path)
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
        conn.execute(
            "INSERT OR IGNORE INTO events (dedup_key, received_at, raw_body) VALUES (?, ?, ?)",
            ("debugger:" + sid, time.time(), body),
        )  # autocommit: one transaction per request, committed before the answer
        return PlainTextResponse("ok\n")

    async def readyz(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    return Starlette(
        routes=[
            Route("/twilio/debugger", debugger, methods=["POST"]),
            Route("/readyz", readyz, methods=["GET"]),
        ]
    )


def ceiling_app() -> Starlette:
    async def ok(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    return Starlette(
        routes=[
            Route("/twilio/debugger", ok, methods=["POST"]),
            Route("/readyz", ok, methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", choices=("reference", "ceiling"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", default="reference.db")
    args = parser.parse_args()
    if args.app == "reference":
        app = reference_app(args.db, os.environ["TWILIO_AUTH_TOKEN"], os.environ["PUBLIC_URL"])
    else:
        app = ceiling_app()
    # The same options as `notifier serve` with LOG_LEVEL=WARNING.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
