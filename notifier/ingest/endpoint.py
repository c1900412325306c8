"""The HTTP side of ingest: cap, content type, signature, parse, store, answer."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Message, Receive, Scope, Send

from notifier.addresses import is_loopback
from notifier.events import Source
from notifier.ingest import fallback
from notifier.ingest.request import BadRequest, FormFields, RequestData, TooManyFields, dedup_key
from notifier.ingest.signature_log import SignatureFailureLog
from notifier.ingest.sources import FORM, JSON, SourceSpec
from notifier.ingest.writer import InboxWriter
from notifier.metrics import Metrics
from notifier.rules.model import FallbackTwiml
from notifier.store.events import IncomingEvent
from notifier.twilio.signature import SignatureChecker, public_url

log = logging.getLogger(__name__)

# Headers worth keeping with the raw body; never the signature itself.
KEPT_HEADERS = ("content-type", "user-agent", "i-twilio-idempotency-token", "x-home-region")
# Responses hold no per-request state, so the common answers are built once.
OK = PlainTextResponse("ok\n")
# Twilio retries on its own schedule; Retry-After tells any other sender (and a proxy) when.
STORE_UNAVAILABLE = PlainTextResponse(
    "store unavailable, retry later\n", status_code=503, headers={"Retry-After": "5"}
)


class Rejected(Exception):
    def __init__(self, status: int, reason: str, message: str, *, close: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        # Close the connection after answering: the client may still be sending its body.
        self.headers = {"Connection": "close"} if close else None


@dataclass
class IngestContext:
    checker: SignatureChecker
    writer: InboxWriter
    metrics: Metrics
    public_base: str | None
    max_body_bytes: int
    allow_unsigned_loopback: bool
    fallback_twiml: Callable[[], FallbackTwiml]
    # Seconds a webhook's body may take to arrive once its headers are in.
    read_timeout: float = 10.0
    signature_failures: SignatureFailureLog = field(default_factory=SignatureFailureLog)
    clock: Callable[[], float] = time.monotonic  # for signature_failures


Handler = Callable[[Request], Coroutine[None, None, Response]]


class Webhooks:
    """Twilio's webhooks go straight to their endpoints, ahead of Starlette's middleware and
    router: the per-request wrapping those add costs a good part of what a webhook itself does.
    Every other request goes on to the app. (An error escaping an endpoint is answered 500 and
    logged by the server, as Starlette would.)"""

    def __init__(
        self, app: Starlette, routes: Mapping[str, tuple[tuple[str, ...], Handler]]
    ) -> None:
        self.app = app
        self._routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self._routes.get(scope["path"]) if scope["type"] == "http" else None
        if route is None:
            await self.app(scope, receive, send)
            return
        methods, handler = route
        if scope["method"] in methods:
            try:
                response = await handler(Request(scope, receive))
            except ClientDisconnect:  # gone before its body arrived: nobody to answer
                return
        else:
            allow = {"Allow": ", ".join(methods)}
            response = PlainTextResponse("Method Not Allowed", status_code=405, headers=allow)
        await response(scope, receive, send)


def make_endpoint(spec: SourceSpec, ctx: IngestContext) -> Handler:
    # The counters of this source, looked up once rather than by label on every request.
    received = ctx.metrics.events_received.labels(spec.source)
    duplicate = ctx.metrics.events_duplicate.labels(spec.source)

    async def endpoint(request: Request) -> Response:
        try:
            data = await _read(request, spec, ctx)
            items = _parse(spec, data)
        except Rejected as rejected:
            ctx.metrics.events_rejected.labels(spec.source, rejected.reason).inc()
            status, headers = rejected.status, rejected.headers
            return PlainTextResponse(f"{rejected}\n", status_code=status, headers=headers)
        try:
            new = await ctx.writer.store(items)
        except OperationalError as error:
            # The database is out of reach: one line per request, not a traceback of the driver
            # that an outage would repeat for every webhook Twilio sends meanwhile.
            log.warning("could not store a %s event, answered 503: %s", spec.source, _why(error))
            return STORE_UNAVAILABLE
        except Exception:
            log.exception("could not store a %s event; Twilio will retry", spec.source)
            return STORE_UNAVAILABLE
        for item in items:
            (received if item.dedup_key in new else duplicate).inc()
        return _answer(spec, data, ctx)

    return endpoint


async def _read(request: Request, spec: SourceSpec, ctx: IngestContext) -> RequestData:
    # ASGI servers hand over header names in lower case.
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in request.scope["headers"]}
    body = await _capped_body(request, headers, ctx)
    text = body.decode("utf-8", "replace")
    try:
        params, payload = _decode(request, headers, spec, text)
    except TooManyFields as error:
        raise Rejected(413, "size", str(error)) from None
    except BadRequest as error:
        raise Rejected(400, "invalid", str(error)) from None
    _verify(request, spec, _signed_part(request, params, text), headers, ctx)
    kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
    fields = params if params is not None else {}
    return RequestData(fields, payload, text, kept, datetime.now(UTC))


def _signed_part(
    request: Request, params: Mapping[str, str] | None, text: str
) -> Mapping[str, str] | str:
    """Twilio signs a GET as its URL alone (the query is in it), a form by its fields, and a
    JSON body through the bodySHA256 query parameter."""
    if request.method == "GET":
        return {}
    return text if params is None else params


async def _capped_body(request: Request, headers: dict[str, str], ctx: IngestContext) -> bytes:
    limit = ctx.max_body_bytes
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Rejected(413, "size", f"body larger than {limit} bytes", close=True)
    # receive() itself, not request.stream(): an async generator per request costs more here.
    first = await request.receive()
    if not first.get("more_body", False):  # all of it came with the headers: the common case
        return await _body(request, first, limit)
    try:
        async with asyncio.timeout(ctx.read_timeout):
            return await _body(request, first, limit)
    except TimeoutError:
        message = f"body not received within {ctx.read_timeout:g} s"
        raise Rejected(408, "timeout", message, close=True) from None


async def _body(request: Request, message: Message, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Rejected(413, "size", f"body larger than {limit} bytes", close=True)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
        message = await request.receive()


def _decode(
    request: Request, headers: dict[str, str], spec: SourceSpec, text: str
) -> tuple[FormFields | None, object]:
    """Form fields (or GET query fields), or the decoded JSON body."""
    if request.method == "GET":
        return FormFields.decode(request.scope["query_string"].decode("latin-1")), None
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in spec.content_types:
        accepted = " or ".join(spec.content_types)
        raise Rejected(415, "content_type", f"content type must be {accepted}")
    if content_type == FORM:
        return FormFields.decode(text), None
    assert content_type == JSON
    try:
        return None, json.loads(text)
    except (ValueError, RecursionError) as error:
        raise Rejected(400, "invalid", f"body is not valid JSON: {error}") from None


def _verify(
    request: Request,
    spec: SourceSpec,
    params: Mapping[str, str] | str,
    headers: dict[str, str],
    ctx: IngestContext,
) -> None:
    if not ctx.checker.configured:
        if not (ctx.allow_unsigned_loopback and _from_loopback(request)):
            raise Rejected(403, "signature", "invalid or missing X-Twilio-Signature")
        return
    if ctx.public_base:
        query = request.scope["query_string"].decode("latin-1")
        url = public_url(ctx.public_base, request.scope["path"], query)
    else:  # the request's own URL, with the proxy headers uvicorn honoured
        url = str(request.url)
    failure = ctx.checker.failure(url, params, headers)
    if failure is not None:
        public = bool(ctx.public_base)
        ctx.signature_failures.refused(spec.source, url, public, failure, ctx.clock())
        raise Rejected(403, "signature", "invalid or missing X-Twilio-Signature")


def _from_loopback(request: Request) -> bool:
    """Development mode: the TCP peer (`notifier serve` turns proxy headers off then, so no
    X-Forwarded-For can stand in for it) is this machine."""
    return request.client is not None and is_loopback(request.client.host)


def _parse(spec: SourceSpec, data: RequestData) -> list[IncomingEvent]:
    try:
        parsed = spec.parse(data)
    except BadRequest as error:
        raise Rejected(400, "invalid", str(error)) from None
    return [
        IncomingEvent(dedup_key(spec.source, p, data), p.event, data.body, dict(data.headers))
        for p in parsed
    ]


def _why(error: OperationalError) -> str:
    """The driver's own first line (never the statement and its parameters: the event's body)."""
    lines = str(error.orig).strip().splitlines()
    return lines[0] if lines else type(error.orig).__name__


def _answer(spec: SourceSpec, data: RequestData, ctx: IngestContext) -> Response:
    if spec.source == Source.FALLBACK:
        twiml = fallback.twiml(data.fields, ctx.fallback_twiml())
        return Response(twiml, media_type="application/xml")
    return OK
