"""`/console/audit`: every action taken on alerts, from Slack, the console or the CLI."""

from __future__ import annotations

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import Response

from notifier.actions import AuditEntry, audit_entries
from notifier.console.web import Console, row_id

PAGE = 100


def _page(conn: Connection, before_id: int | None) -> list[AuditEntry]:
    return audit_entries(conn, limit=PAGE + 1, before_id=before_id)


async def audit_list(console: Console, request: Request) -> Response:
    entries = await console.read(_page, row_id(request.query_params.get("before", "")))
    older = entries[PAGE - 1].id if len(entries) > PAGE else None
    return console.render(request, "audit.html", entries=entries[:PAGE], older=older)
