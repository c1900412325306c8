"""`/console/groups/{key}`: one alert group's timeline, events and notices with their reasons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import Response

from notifier.actions import group_status
from notifier.console.web import Console, not_found, row_id
from notifier.render import facts
from notifier.store import browse

EVENTS = 50
NOTICES = 50


def _group(
    conn: Connection, key: str, before_id: int | None, now: datetime
) -> dict[str, Any] | None:
    status = group_status(conn, key, now=now)
    if status is None:
        return None
    return {
        "state": status.state,
        "acknowledged": status.acknowledged,
        "holding": status.silences,
        "events": browse.group_events(conn, key, before_id, EVENTS + 1),
        "notices": browse.notification_page(conn, group_keys=[key], limit=NOTICES),
    }


async def group_page(console: Console, request: Request) -> Response:
    key = request.query_params.get("key", "")
    before = request.query_params.get("before", "")
    before_id = row_id(before)
    found = await console.read(_group, key, before_id, console.clock())
    if found is None:
        return not_found(console, request, f"No alert group {key!r}.")
    events = found.pop("events")
    older = events[EVENTS - 1].id if len(events) > EVENTS else None
    return console.render(
        request,
        "group.html",
        key=key,
        events=events[:EVENTS],
        older=older,
        title=facts.title,
        **found,
    )
