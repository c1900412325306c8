"""`GET/POST /console/login` and `POST /console/logout`."""

from __future__ import annotations

import logging
import math

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from notifier.console import auth
from notifier.console.web import Console

log = logging.getLogger(__name__)


async def login_form(console: Console, request: Request) -> Response:
    if console.session(request) is not None:
        return RedirectResponse("/console/", status_code=303)
    return console.render(request, "login.html", error=None)


async def login(console: Console, request: Request) -> Response:
    client = request.client.host if request.client else "unknown"
    wait = console.limiter.retry_after(client, console.monotonic())
    if wait > 0:
        seconds = math.ceil(wait)
        error = f"Too many failed logins: try again in {seconds} s."
        response = console.render(request, "login.html", status_code=429, error=error)
        response.headers["Retry-After"] = str(seconds)
        return response
    form = await request.form()
    given = form.get("password")
    if not isinstance(given, str) or not auth.password_matches(given, console.password):
        console.limiter.failed(client, console.monotonic())
        log.warning("console: failed login from %s", client)
        return console.render(request, "login.html", status_code=401, error="Wrong password.")
    console.limiter.succeeded(client)
    redirect = RedirectResponse("/console/", status_code=303)
    redirect.set_cookie(
        auth.COOKIE,
        console.signer.issue(console.clock()),
        max_age=int(auth.LIFETIME.total_seconds()),
        path="/console",
        httponly=True,
        secure=console.secure_cookie,
        samesite="lax",
    )
    return redirect


async def logout(console: Console, request: Request) -> Response:
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(auth.COOKIE, path="/console")
    return response
