"""`/console`: what is happening now: open groups, the last 24 h, failing deliveries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import Response

from notifier.console.web import Console
from notifier.pipeline.groups import GroupState
from notifier.store import browse
from notifier.store.outbox import FAILED

OPEN_GROUPS = 50
FAILING = 20


class OpenGroup(NamedTuple):
    state: GroupState
    last: browse.NotificationRow | None


def _overview(conn: Connection, now: Any) -> dict[str, Any]:
    records = browse.open_groups(conn, OPEN_GROUPS)
    last = browse.last_notices(conn, [record.key for record in records])
    groups = [OpenGroup(GroupState.from_json(r.state), last.get(r.key)) for r in records]
    return {
        "groups": groups,
        "counts": browse.counts_since(conn, now - timedelta(hours=24)),
        "failing": browse.notification_page(conn, status=FAILED, limit=FAILING),
    }


async def overview(console: Console, request: Request) -> Response:
    values = await console.read(_overview, console.clock())
    return console.render(request, "overview.html", **values)
