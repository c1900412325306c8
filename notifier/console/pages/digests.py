"""`/console/digests`: periods already sent, and a preview of each digest's current period."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from notifier.console.web import Console
from notifier.store import browse

RUNS = 50


async def digest_page(console: Console, request: Request) -> Response:
    runs = await console.read(browse.digest_run_page, None, RUNS)
    rules = console.rules()
    built_at, previews = console.previews.current(
        console.engine, rules, console.catalog, console.clock()
    )
    return console.render(
        request,
        "digests.html",
        runs=runs,
        previews=previews,
        built_at=built_at,
        defined=bool(rules.digests),
    )
