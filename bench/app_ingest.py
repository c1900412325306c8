"""The bot's own ingest rate, in-process: signed debugger webhooks through the real ASGI app.

No network and no HTTP parsing: requests are handed to the app as ASGI calls, 50 at a time, so
the figure is the ingest path alone (cap, signature, parse, group-committed store) with the
worker off. It is the rate the worker must keep up with.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from notifier.app import Runtime, create_app
from notifier.ingest.endpoint import Webhooks
from notifier.settings import Settings
from notifier.simulate import sample
from notifier.twilio.catalog import BUNDLED as catalog_bundle
from notifier.twilio.signature import sign

BASE = "http://bench"
TOKEN = "bench-token"
ERROR_CODES_FILE = Path(str(catalog_bundle))
CONCURRENCY = 50


def signed_requests(count: int) -> list[tuple[str, bytes, str]]:
    requests = []
    for _ in range(count):
        request = sample("debugger")
        signature = sign(TOKEN, BASE + request.path, request.form or {})
        requests.append((request.path, request.body.encode(), signature))
    return requests


async def _call(app: Webhooks, path: str, body: bytes, signature: str) -> int:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
            (b"x-twilio-signature", signature.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


async def send_all(app: Webhooks, requests: list[tuple[str, bytes, str]]) -> None:
    """Hands `requests` to the running app, CONCURRENCY at a time; each must be answered 200."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(request: tuple[str, bytes, str]) -> int:
        async with gate:
            return await _call(app, *request)

    statuses = await asyncio.gather(*(one(request) for request in requests))
    assert set(statuses) == {200}, set(statuses)


async def _drive(app: Webhooks, requests: list[tuple[str, bytes, str]]) -> float:
    async with app.app.router.lifespan_context(app):
        started = time.perf_counter()
        await send_all(app, requests)
        elapsed = time.perf_counter() - started
    return len(requests) / elapsed


def app_ingest_rate(database_url: str, count: int) -> float:
    """Signed webhooks accepted and stored per second by the app, worker off."""
    rules = Path(tempfile.mkdtemp()) / "rules.toml"
    rules.write_text("[receivers.local]\nconsole = {}\n")
    settings = Settings(
        auth_tokens=(TOKEN,),
        public_url=BASE,
        database_url=database_url,
        rules_file=rules,
        error_codes_file=ERROR_CODES_FILE,
    )
    runtime = Runtime.start(settings, fetch_catalog=False)
    try:
        return asyncio.run(_drive(create_app(runtime, run_worker=False), signed_requests(count)))
    finally:
        runtime.engine.dispose()
