"""A fake Slack (Web API and incoming webhooks) on a real loopback port, for sync and async tests.

The server runs its own event loop in a background thread, so a test can drive it from plain
code or from inside `asyncio.run(...)` alike.
"""

from __future__ import annotations

import asyncio
import math
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

_FIRST_TS = 1_700_000_000_000_100  # microseconds: "1700000000.000100"


@dataclass(frozen=True)
class Recorded:
    path: str
    token: str | None
    body: dict[str, Any]
    arrived: float  # time.monotonic()
    status: int


@dataclass
class _Failure:
    remaining: int
    status: int
    body: str | None


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[Recorded] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    failure: _Failure | None = None
    limited_until: dict[str | None, float] = field(default_factory=dict)
    error: str | None = None
    next_ts: int = _FIRST_TS


class FakeSlack:
    """`with FakeSlack() as slack:` gives `slack.api_url` and `slack.webhook_url(id)`."""

    def __init__(self, token: str = "xoxb-fake-token") -> None:
        self.token = token
        self._state = _State()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> FakeSlack:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=5)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/webhook/{id}", self._webhook)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def webhook_url(self, hook_id: str = "T000/B000/XXXX") -> str:
        return f"http://127.0.0.1:{self.port}/webhook/{hook_id.replace('/', '-')}"

    # -- programmable behaviour --------------------------------------------------------------

    def fail_next(self, n: int, status: int = 500, body: str | None = None) -> None:
        """The next `n` requests get `status` (with `body` as plain text, if given)."""
        with self._state.lock:
            self._state.failure = _Failure(n, status, body)

    def rate_limit(self, seconds: float, channel: str | None = None) -> None:
        """429 with Retry-After for `channel` (or every channel) until `seconds` have passed."""
        with self._state.lock:
            self._state.limited_until[channel] = time.monotonic() + seconds

    def error(self, name: str | None) -> None:
        """Every Web API call answers `ok: false, error: name` until `error(None)`."""
        with self._state.lock:
            self._state.error = name

    # -- what happened -----------------------------------------------------------------------

    @property
    def requests(self) -> list[Recorded]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def messages(self) -> list[dict[str, Any]]:
        with self._state.lock:
            return list(self._state.messages)

    @property
    def updates(self) -> list[dict[str, Any]]:
        with self._state.lock:
            return list(self._state.updates)

    # -- handlers ----------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        body = await _body(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or None
        with self._state.lock:
            response = self._answer_api(request.match_info["method"], token, body)
            self._record(request.path, token, body, response.status)
        return response

    def _answer_api(self, method: str, token: str | None, body: dict[str, Any]) -> web.Response:
        refused = self._refusal(body.get("channel"))
        if refused is not None:
            return refused
        if token != self.token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self._state.error:
            return web.json_response({"ok": False, "error": self._state.error})
        handler = {"chat.postMessage": self._post, "chat.update": self._update}.get(method)
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "UFAKE", "team": "fake"})
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        return web.json_response(handler(body))

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        ts = f"{self._state.next_ts // 1_000_000}.{self._state.next_ts % 1_000_000:06d}"
        self._state.next_ts += 100
        self._state.messages.append({**body, "ts": ts, "thread_ts": body.get("thread_ts")})
        return {"ok": True, "channel": body.get("channel"), "ts": ts}

    def _update(self, body: dict[str, Any]) -> dict[str, Any]:
        if not any(m["ts"] == body.get("ts") for m in self._state.messages):
            return {"ok": False, "error": "message_not_found"}
        self._state.updates.append(body)
        return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await _body(request)
        channel = f"webhook:{request.match_info['id']}"
        with self._state.lock:
            response = self._refusal(channel) or web.Response(text="ok")
            if response.status == 200:
                self._state.messages.append({**body, "channel": channel, "ts": None})
            self._record(request.path, None, body, response.status)
        return response

    def _refusal(self, channel: str | None) -> web.Response | None:
        """A programmed failure or rate limit for this request, if any (lock held)."""
        failure = self._state.failure
        if failure is not None and failure.remaining > 0:
            failure.remaining -= 1
            text = failure.body if failure.body is not None else "<html>server error</html>"
            return web.Response(status=failure.status, text=text)
        remaining = self._limited_for(channel)
        if remaining > 0:
            limited = {"ok": False, "error": "ratelimited"}
            headers = {"Retry-After": str(math.ceil(remaining))}
            return web.json_response(limited, status=429, headers=headers)
        return None

    def _limited_for(self, channel: str | None) -> float:
        now = time.monotonic()
        until = max(self._state.limited_until.get(k, 0.0) for k in (channel, None))
        return until - now

    def _record(self, path: str, token: str | None, body: dict[str, Any], status: int) -> None:
        self._state.requests.append(Recorded(path, token, body, time.monotonic(), status))


async def _body(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        data = await request.json()
        return data if isinstance(data, dict) else {"payload": data}
    form = await request.post()
    return {key: str(value) for key, value in form.items()}
