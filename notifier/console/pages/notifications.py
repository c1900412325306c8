"""`/console/notifications`: every delivery with its status, attempts and last error."""

from __future__ import annotations

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import Response

from notifier.console.web import Console, row_id
from notifier.store import browse
from notifier.store.outbox import DeliveryStatus

PAGE = 50
STATUSES = (
    DeliveryStatus.PENDING,
    DeliveryStatus.SENT,
    DeliveryStatus.FAILED,
    DeliveryStatus.REPLAYED,
)


async def notification_list(console: Console, request: Request) -> Response:
    status = request.query_params.get("status") or None
    if status is not None and status not in STATUSES:
        status = None
    before = request.query_params.get("before", "")
    rows = await console.read(_page, status, row_id(before))
    older = rows[PAGE - 1].id if len(rows) > PAGE else None
    return console.render(
        request,
        "notifications.html",
        rows=rows[:PAGE],
        older=older,
        status=status or "",
        statuses=STATUSES,
    )


def _page(
    conn: Connection, status: str | None, before_id: int | None
) -> list[browse.NotificationRow]:
    return browse.notification_page(conn, status=status, before_id=before_id, limit=PAGE + 1)
