"""What every console page shares: the store, templates, the session check and CSRF rule."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import Connection, Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from notifier.console import auth
from notifier.console.limits import LoginLimiter
from notifier.console.previews import PreviewCache
from notifier.events import utcnow
from notifier.rules.model import Rules
from notifier.store.engine import read_only
from notifier.twilio.catalog import Catalog

T = TypeVar("T")
HERE = Path(__file__).parent
Page = Callable[[Request], Awaitable[Response]]


def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        # Every value is escaped unless a template says otherwise, which none does.
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
    )
    env.filters["when"] = _when
    return env


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


@dataclass
class Console:
    """One console: its store, rules, catalog and session signer."""

    engine: Engine
    rules: Callable[[], Rules]
    catalog: Catalog
    signer: auth.Signer
    password: str
    secure_cookie: bool
    clock: Callable[[], datetime] = utcnow
    monotonic: Callable[[], float] = time.monotonic
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    jinja: Environment = field(default_factory=templates)
    previews: PreviewCache = field(default_factory=PreviewCache)

    async def read(self, query: Callable[..., T], *args: Any) -> T:
        """Run `query(conn, *args)` on a read-only connection, off the event loop."""
        return await asyncio.to_thread(self._read, query, *args)

    def _read(self, query: Callable[..., T], *args: Any) -> T:
        with read_only(self.engine).connect() as conn:
            return query(conn, *args)

    async def write(self, change: Callable[[Connection], T]) -> T:
        """Run `change(conn)` in one transaction, off the event loop."""
        return await asyncio.to_thread(self._write, change)

    def _write(self, change: Callable[[Connection], T]) -> T:
        with self.engine.begin() as conn:
            return change(conn)

    def session(self, request: Request) -> auth.Session | None:
        return self.signer.check(request.cookies.get(auth.COOKIE), self.clock())

    def render(
        self, request: Request, template: str, status_code: int = 200, **values: Any
    ) -> HTMLResponse:
        session = self.session(request)
        csrf = self.signer.csrf_token(session) if session else ""
        page = self.jinja.get_template(template)
        done = request.query_params.get("done")  # what the last action did, said once
        html = page.render(csrf=csrf, now=self.clock(), path=request.url.path, done=done, **values)
        return HTMLResponse(html, status_code=status_code)


def login_required(console: Console, page: Page) -> Page:
    """Pages answer a login redirect without a session; a POST also needs its CSRF token."""

    async def guarded(request: Request) -> Response:
        session = console.session(request)
        if session is None:
            if request.method != "GET":
                return PlainTextResponse("Log in first: your session has expired.", 403)
            return RedirectResponse("/console/login", status_code=303)
        if request.method == "POST":
            form = await request.form()
            token = form.get("csrf")
            if not console.signer.csrf_ok(session, token if isinstance(token, str) else None):
                return PlainTextResponse("The form's CSRF token is missing or wrong: reload.", 403)
        return await page(request)

    return guarded


MAX_ID = 2**63 - 1  # ids are BIGINT: a larger number in a URL names no row, never an error


def row_id(value: object) -> int | None:
    """An id from a path or query parameter; None when it cannot name a row."""
    text = str(value)
    number = int(text) if text.isdigit() else 0
    return number if 0 < number <= MAX_ID else None


def not_found(console: Console, request: Request, what: str) -> Response:
    return console.render(request, "message.html", status_code=404, title="Not found", message=what)
