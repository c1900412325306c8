"""`/console/events` (filtered, searchable, keyset-paged) and `/console/events/{id}`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from notifier.console.web import Console, not_found, row_id
from notifier.enrich import enrich
from notifier.events import LEVELS, Source
from notifier.pipeline.suppress import Outcome
from notifier.render import facts
from notifier.store import browse
from notifier.store.events import StoredEvent

PAGE = 50
SEARCH_SPAN = timedelta(hours=24)
RELATED_NOTIFICATIONS = 20
TEXT_FILTERS = ("source", "level", "error_code", "account_sid", "outcome", "text")


class BadFilter(ValueError):
    """A filter value the page cannot use, named with the field it came from."""


def parse_filter(params: QueryParams) -> browse.EventFilter:
    values = {name: (params.get(name) or "").strip() or None for name in TEXT_FILTERS}
    if values["outcome"] is not None and values["outcome"] not in set(Outcome):
        raise BadFilter(f"outcome: unknown outcome {values['outcome']!r}")
    return browse.EventFilter(
        **values,
        since=_moment(params, "since"),
        until=_moment(params, "until"),
    )


def _moment(params: QueryParams, name: str) -> datetime | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadFilter(f"{name}: not a time like 2026-12-01T22:00: {text!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_cursor(text: str | None) -> browse.Cursor | None:
    """`before=<received ISO time>_<id>`, as the page's "older" link writes it."""
    if not text:
        return None
    stamp, _, number = text.rpartition("_")
    try:
        return browse.Cursor(datetime.fromisoformat(stamp), int(number))
    except ValueError:
        raise BadFilter(f"before: not a page position: {text!r}") from None


def cursor_text(row: StoredEvent) -> str:
    return f"{row.received_at.isoformat()}_{row.id}"


class Listed(NamedTuple):
    rows: list[StoredEvent]
    older: str | None  # the next page's `before`
    searched: tuple[datetime, datetime] | None  # the span a text search read, when it was cut


def search_span(
    where: browse.EventFilter, before: browse.Cursor | None, now: datetime
) -> tuple[datetime, datetime] | None:
    """A text search reads every event of its range (no text index): at most a day a page."""
    if not where.text:
        return None
    top = before.received_at if before else now
    if where.until is not None:
        top = min(top, where.until)
    start = top - SEARCH_SPAN
    return None if where.since is not None and where.since >= start else (start, top)


def _listed(
    conn: Connection, where: browse.EventFilter, before: browse.Cursor | None, now: datetime
) -> Listed:
    span = search_span(where, before, now)
    narrowed = replace(where, since=span[0]) if span else where
    rows = browse.event_page(conn, narrowed, before, PAGE + 1)
    if len(rows) > PAGE:
        return Listed(rows[:PAGE], cursor_text(rows[PAGE - 1]), None)
    oldest = browse.oldest_received(conn) if span else None
    if span is None or oldest is None or oldest >= span[0]:
        return Listed(rows, None, None)
    return Listed(rows, f"{span[0].isoformat()}_0", span)  # older than the span: next page


async def event_list(console: Console, request: Request) -> Response:
    try:
        where = parse_filter(request.query_params)
        before = parse_cursor(request.query_params.get("before"))
    except BadFilter as error:
        return _list_page(console, request, Listed([], None, None), error=str(error), status=400)
    listed = await console.read(_listed, where, before, console.clock())
    return _list_page(console, request, listed)


def _list_page(
    console: Console,
    request: Request,
    listed: Listed,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    names = (*TEXT_FILTERS, "since", "until")
    params = {name: request.query_params.get(name, "") for name in names}
    keep = {name: value for name, value in params.items() if value}
    return console.render(
        request,
        "events.html",
        status_code=status,
        rows=listed.rows,
        older=listed.older,
        searched=listed.searched,
        params=params,
        keep=keep,
        error=error,
        sources=list(Source),
        levels=LEVELS,
        outcomes=list(Outcome),
        title=facts.title,
    )


def _detail(conn: Connection, event_id: int) -> dict[str, Any] | None:
    record = browse.event_record(conn, event_id)
    if record is None:
        return None
    decided = browse.outcomes_of(conn, event_id)
    keys = sorted({row.group_key for row in decided if row.group_key})
    caused = browse.notification_page(
        conn, group_keys=keys, since=record.received_at, limit=RELATED_NOTIFICATIONS
    )
    # Never stored (ingest keeps a few named headers), and never shown should that change.
    headers = {k: v for k, v in record.headers.items() if k.lower() != "x-twilio-signature"}
    return {"record": record, "headers": headers, "decided": decided, "caused": caused}


async def event_detail(console: Console, request: Request) -> Response:
    event_id = row_id(request.path_params["event_id"])
    found = await console.read(_detail, event_id) if event_id is not None else None
    if found is None:
        return not_found(console, request, f"No stored event {request.path_params['event_id']}.")
    rules = console.rules()
    event = enrich(found["record"].event, console.catalog, rules.settings.accounts)
    return console.render(
        request,
        "event.html",
        event=event,
        fields=[(name, value) for name, value in event.fields().items() if value is not None],
        title=facts.title(event),
        links=facts.links(event),
        **found,
    )
