"""The console's routes, mounted at /console only when CONSOLE_PASSWORD is set."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.staticfiles import StaticFiles

from notifier.console import acting, auth, login
from notifier.console.headers import SecurityHeaders
from notifier.console.pages import audit, digests, events, groups, notifications, overview, silences
from notifier.console.web import HERE, Console, login_required
from notifier.rules.model import Rules
from notifier.settings import Settings
from notifier.twilio.catalog import Catalog

Handler = Callable[[Console, Request], Awaitable[Response]]

# (path, handler, methods): every page but login needs a session, every POST its CSRF token.
PAGES: tuple[tuple[str, Handler, tuple[str, ...]], ...] = (
    ("/", overview.overview, ("GET",)),
    ("/events", events.event_list, ("GET",)),
    ("/events/{event_id:int}", events.event_detail, ("GET",)),
    ("/group", groups.group_page, ("GET",)),
    ("/notifications", notifications.notification_list, ("GET",)),
    ("/silences", silences.silence_list, ("GET",)),
    ("/digests", digests.digest_page, ("GET",)),
    ("/audit", audit.audit_list, ("GET",)),
    ("/logout", login.logout, ("POST",)),
    ("/group/silence", acting.silence_group, ("POST",)),
    ("/group/acknowledge", acting.acknowledge, ("POST",)),
    ("/notifications/{notification_id:int}/replay", acting.replay, ("POST",)),
    ("/silences", acting.add_silence, ("POST",)),
    ("/silences/{silence_id:int}/expire", acting.expire, ("POST",)),
)


def console_routes(
    settings: Settings, engine: Engine, rules: Callable[[], Rules], catalog: Catalog
) -> list[BaseRoute]:
    """The /console mount, or nothing (every /console path 404) without CONSOLE_PASSWORD."""
    password = settings.console_password
    if not password:
        return []
    console = Console(
        engine=engine,
        rules=rules,
        catalog=catalog,
        signer=auth.Signer(auth.session_key(password, settings.session_secret)),
        password=password,
        secure_cookie=(settings.public_url or "").startswith("https://"),
    )
    return [Mount("/console", app=SecurityHeaders(Router(routes(console))))]


def routes(console: Console) -> list[BaseRoute]:
    pages: list[BaseRoute] = [
        Route(path, login_required(console, partial(handler, console)), methods=list(methods))
        for path, handler, methods in PAGES
    ]
    return [
        Route("/login", partial(login.login_form, console), methods=["GET"]),
        Route("/login", partial(login.login, console), methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
        *pages,
    ]
