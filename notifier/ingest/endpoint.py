"""The HTTP side of ingest: cap, content type, signature, parse, store, answer."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from notifier.events import Source
from notifier.ingest import fallback
from notifier.ingest.request import BadRequest, FormFields, RequestData, dedup_key
from notifier.ingest.sources import FORM, JSON, SourceSpec
from notifier.ingest.writer import InboxWriter
from notifier.metrics import Metrics
from notifier.rules.model import FallbackTwiml
from notifier.store.events import IncomingEvent
from notifier.twilio.signature import SignatureChecker, public_url

log = logging.getLogger(__name__)

# Headers worth keeping with the raw body; never the signature itself.
KEPT_HEADERS = ("content-type", "user-agent", "i-twilio-idempotency-token", "x-home-region")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
# Responses hold no per-request state, so the common answer is built once.
OK = PlainTextResponse("ok\n")


class Rejected(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


@dataclass
class IngestContext:
    checker: SignatureChecker
    writer: InboxWriter
    metrics: Metrics
    public_base: str | None
    max_body_bytes: int
    allow_unsigned_loopback: bool
    fallback_twiml: Callable[[], FallbackTwiml]


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
            return PlainTextResponse(f"{rejected}\n", status_code=rejected.status)
        try:
            new = await ctx.writer.store(items)
        except Exception:
            log.exception("could not store a %s event; Twilio will retry", spec.source)
            return PlainTextResponse("store unavailable, retry later\n", status_code=503)
        for item in items:
            (received if item.dedup_key in new else duplicate).inc()
        return _answer(spec, data, ctx)

    return endpoint


async def _read(request: Request, spec: SourceSpec, ctx: IngestContext) -> RequestData:
    # ASGI servers hand over header names in lower case.
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in request.scope["headers"]}
    body = await _capped_body(request, headers, ctx.max_body_bytes)
    text = body.decode("utf-8", "replace")
    params, payload = _decode(request, headers, spec, text)
    if not _signed(request, _signed_part(request, params, text), headers, ctx):
        raise Rejected(403, "signature", "invalid or missing X-Twilio-Signature")
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


async def _capped_body(request: Request, headers: dict[str, str], limit: int) -> bytes:
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Rejected(413, "size", f"body larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    # receive() itself, not request.stream(): an async generator per request costs more here.
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Rejected(413, "size", f"body larger than {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _decode(
    request: Request, headers: dict[str, str], spec: SourceSpec, text: str
) -> tuple[FormFields | None, object]:
    """Form fields (or GET query fields), or the decoded JSON body."""
    if request.method == "GET":
        return FormFields(request.query_params.multi_items()), None
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


def _signed(
    request: Request,
    params: Mapping[str, str] | str,
    headers: dict[str, str],
    ctx: IngestContext,
) -> bool:
    if not ctx.checker.configured:
        client = request.client.host if request.client else ""
        return ctx.allow_unsigned_loopback and client in LOOPBACK
    if ctx.public_base:
        query = request.scope["query_string"].decode("latin-1")
        url = public_url(ctx.public_base, request.scope["path"], query)
    else:  # the request's own URL, with the proxy headers uvicorn honoured
        url = str(request.url)
    return ctx.checker.is_valid(url, params, headers)


def _parse(spec: SourceSpec, data: RequestData) -> list[IncomingEvent]:
    try:
        parsed = spec.parse(data)
    except BadRequest as error:
        raise Rejected(400, "invalid", str(error)) from None
    return [
        IncomingEvent(dedup_key(spec.source, p, data), p.event, data.body, dict(data.headers))
        for p in parsed
    ]


def _answer(spec: SourceSpec, data: RequestData, ctx: IngestContext) -> Response:
    if spec.source == Source.FALLBACK:
        twiml = fallback.twiml(data.fields, ctx.fallback_twiml())
        return Response(twiml, media_type="application/xml")
    return OK
