"""The console's changes: silence, acknowledge, replay and expire, each through
`notifier.actions` (which records who, what and when) in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import Connection
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from notifier import actions
from notifier.console.web import Console, row_id
from notifier.rules.durations import parse_duration


def actor(request: Request) -> actions.Actor:
    # One shared password: the address is what tells two people apart in the audit.
    where = request.client.host if request.client else "unknown address"
    return actions.Actor(actions.Origin.CONSOLE, f"console ({where})")


DEFAULT_COMMENT = "silenced from the web console"


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _duration(form: FormData) -> timedelta:
    text = _text(form, "duration") or "1h"
    try:
        duration = parse_duration(text)
    except ValueError as error:
        raise actions.ActionError(f"duration: {error}") from None
    if duration is None:
        raise actions.ActionError('duration: a silence needs an end, not "off"')
    return duration


def matchers_of(text: str) -> dict[str, str]:
    """`field=value` a line (or separated by spaces) into matchers, naming the bad line."""
    found = {}
    for part in text.split():
        name, equals, value = part.partition("=")
        if not equals or not name or not value:
            raise actions.ActionError(f"matchers: {part!r} is not field=value")
        found[name] = value
    return found


async def _act(
    console: Console, request: Request, change: Callable[[Connection], str], back: str
) -> Response:
    """Run `change` in a transaction; back to `back` saying what was done, or the error."""
    try:
        done = await console.write(change)
    except actions.ActionError as error:
        return console.render(
            request, "message.html", status_code=400, title="Not done", message=str(error)
        )
    separator = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{separator}{urlencode({'done': done})}", status_code=303)


async def silence_group(console: Console, request: Request) -> Response:
    form = await request.form()
    key = _text(form, "key")
    now = console.clock()

    def change(conn: Connection) -> str:
        duration = _duration(form)
        comment = _text(form, "comment") or DEFAULT_COMMENT
        silence_id = actions.silence_group(
            conn, actor(request), key, duration=duration, comment=comment, now=now
        )
        return f"Silence {silence_id} added for {_text(form, 'duration') or '1h'}."

    return await _act(console, request, change, f"/console/group?{urlencode({'key': key})}")


async def acknowledge(console: Console, request: Request) -> Response:
    form = await request.form()
    key = _text(form, "key")
    now = console.clock()

    def change(conn: Connection) -> str:
        actions.acknowledge(conn, actor(request), key, now=now)
        return "Acknowledged: no repeat reminders for this cycle."

    return await _act(console, request, change, f"/console/group?{urlencode({'key': key})}")


async def add_silence(console: Console, request: Request) -> Response:
    form = await request.form()
    now = console.clock()
    if _text(form, "key"):
        return await silence_group(console, request)

    def change(conn: Connection) -> str:
        matchers = matchers_of(_text(form, "matchers"))
        if not matchers:
            raise actions.ActionError("matchers: give at least one field=value")
        comment = _text(form, "comment") or DEFAULT_COMMENT
        ends_at = now + _duration(form)
        silence_id = actions.silence(
            conn, actor(request), matchers, ends_at=ends_at, comment=comment, now=now
        )
        return f"Silence {silence_id} added."

    return await _act(console, request, change, "/console/silences")


async def expire(console: Console, request: Request) -> Response:
    silence_id = row_id(request.path_params["silence_id"]) or 0
    now = console.clock()

    def change(conn: Connection) -> str:
        actions.expire_silence(conn, actor(request), silence_id, now=now)
        return f"Silence {silence_id} expired."

    return await _act(console, request, change, "/console/silences")


async def replay(console: Console, request: Request) -> Response:
    notification_id = row_id(request.path_params["notification_id"]) or 0
    now = console.clock()

    def change(conn: Connection) -> str:
        actions.replay(conn, actor(request), [notification_id], now=now)
        return f"Notification {notification_id} queued again, marked replay."

    return await _act(console, request, change, "/console/notifications")
