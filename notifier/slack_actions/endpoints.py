"""`POST /slack/actions` (the buttons) and `POST /slack/commands` (`/twilio-alerts`): verify,
read, answer Slack at once (it gives up after 3 s), and do the work after the answer, telling
the user through the request's `response_url`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from notifier.metrics import Metrics
from notifier.rules.model import Rules
from notifier.settings import Settings
from notifier.slack_actions.access import AllowList
from notifier.slack_actions.payloads import PayloadError, parse_click
from notifier.slack_actions.payloads import parse_command as parse_command_form
from notifier.slack_actions.respond import Responder
from notifier.slack_actions.slack_calls import GroupMembers
from notifier.slack_actions.verify import Rejection, RequestVerifier

log = logging.getLogger(__name__)

# A click carries the whole message it was on (up to 50 blocks of 3,000 characters, escaped
# twice: JSON in a form field); nothing Slack sends is larger. Checked before the signature.
MAX_BODY = 1024 * 1024
READ_TIMEOUT = 10.0


class _Refused(Exception):
    def __init__(self, status: int, reason: Rejection, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


@dataclass
class SlackEndpoints:
    verifier: RequestVerifier
    responder: Responder
    metrics: Metrics

    async def actions(self, request: Request) -> Response:
        try:
            body = await self._verified(request)
            click = parse_click(body)
        except _Refused as refused:
            return self._refuse("actions", refused)
        except PayloadError as error:
            return self._refuse("actions", _Refused(400, Rejection.MALFORMED, str(error)))
        if click is None or click.action is None:  # a link button, another interaction
            return Response(status_code=200)
        return Response(status_code=200, background=BackgroundTask(self.responder.click, click))

    async def commands(self, request: Request) -> Response:
        try:
            body = await self._verified(request)
            command = parse_command_form(body)
        except _Refused as refused:
            return self._refuse("commands", refused)
        except PayloadError as error:
            return self._refuse("commands", _Refused(400, Rejection.MALFORMED, str(error)))
        immediate = self.responder.immediate(command)
        if immediate is not None:  # help, or a command that cannot be read: no store needed
            return JSONResponse(immediate)
        return Response(status_code=200, background=BackgroundTask(self.responder.command, command))

    async def _verified(self, request: Request) -> bytes:
        body = await _capped_body(request)
        headers = {name.lower(): value for name, value in request.headers.items()}
        rejection = self.verifier.check(body, headers)
        if rejection is Rejection.MALFORMED:
            raise _Refused(400, rejection, "the body is not UTF-8")
        if rejection is not None:
            raise _Refused(401, rejection, f"not a fresh request signed by Slack ({rejection})")
        return body

    def _refuse(self, endpoint: str, refused: _Refused) -> Response:
        self.metrics.slack_rejected.labels(endpoint, refused.reason.value).inc()
        log.warning("refused a request to /slack/%s: %s", endpoint, refused)
        return PlainTextResponse(f"{refused}\n", status_code=refused.status)


async def _capped_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _Refused(413, Rejection.TOO_LARGE, f"body larger than {MAX_BODY} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(READ_TIMEOUT):
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY:
                    raise _Refused(413, Rejection.TOO_LARGE, f"body larger than {MAX_BODY} bytes")
                chunks.append(chunk)
    except (TimeoutError, ClientDisconnect):
        raise _Refused(400, Rejection.MALFORMED, "the body did not arrive") from None
    return b"".join(chunks)


def slack_routes(
    settings: Settings, engine: Engine, rules: Callable[[], Rules], metrics: Metrics
) -> list[Route]:
    """The two routes, when SLACK_SIGNING_SECRET is set; none otherwise (404)."""
    if not settings.slack_signing_secret:
        return []
    members = GroupMembers(settings.slack_bot_token, settings.slack_api_url)
    allow = AllowList(settings.slack_allowed_users, settings.slack_allowed_groups, members)
    endpoints = SlackEndpoints(
        RequestVerifier(settings.slack_signing_secret),
        Responder(engine, rules, allow, metrics),
        metrics,
    )
    return [
        Route("/slack/actions", endpoints.actions, methods=["POST"]),
        Route("/slack/commands", endpoints.commands, methods=["POST"]),
    ]
