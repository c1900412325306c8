"""`/console/digests`: periods already sent, and a preview of each digest's current period."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import Response

from notifier.console.web import Console
from notifier.delivery.directory import render_context
from notifier.digest.build import build_report
from notifier.digest.render import render_text
from notifier.digest.schedule import digest_trigger, period_for
from notifier.rules.model import Rules
from notifier.store import browse
from notifier.twilio.catalog import Catalog

RUNS = 50


class Preview(NamedTuple):
    name: str
    text: str  # the digest as plain text; the template escapes it


def _previews(conn: Connection, rules: Rules, catalog: Catalog, now: datetime) -> list[Preview]:
    previews = []
    ctx = render_context(rules, catalog)
    for digest in rules.digests:
        start, end = period_for(digest, digest_trigger(digest, rules), now)
        try:
            text = render_text(build_report(conn, digest, start, end, catalog), ctx)
        except ValueError as error:  # a scope SQL cannot express, as `notifier digest` says
            text = f'digest "{digest.name}": {error}'
        previews.append(Preview(digest.name, text))
    return previews


async def digest_page(console: Console, request: Request) -> Response:
    runs = await console.read(browse.digest_run_page, None, RUNS)
    previews = await console.read(_previews, console.rules(), console.catalog, console.clock())
    return console.render(request, "digests.html", runs=runs, previews=previews)
