"""`/console/silences`: the silences in force and past, a form to add one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from notifier.console.web import Console
from notifier.store.silences import all_silences

DURATIONS = ("1h", "4h", "24h", "7d")


async def silence_list(console: Console, request: Request) -> Response:
    silences = await console.read(all_silences)
    now = console.clock()
    active = [s for s in reversed(silences) if s.starts_at <= now < s.ends_at]
    past = [s for s in reversed(silences) if not s.starts_at <= now < s.ends_at][:50]
    return console.render(
        request,
        "silences.html",
        active=active,
        past=past,
        durations=DURATIONS,
        group=request.query_params.get("group", ""),
        error=None,
    )
