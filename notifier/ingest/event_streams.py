"""Event Streams webhook sink: CloudEvents 1.0, one or an array; at-least-once delivery."""

from __future__ import annotations

from typing import Any

from notifier.events import Event, Source
from notifier.ingest.payload import parse_payload
from notifier.ingest.request import BadRequest, Parsed, RequestData, level, parse_time, text_or_none
from notifier.twilio.sids import resource_type


def parse(request: RequestData) -> list[Parsed]:
    body = request.json
    cloud_events = body if isinstance(body, list) else [body]
    if not cloud_events:
        raise BadRequest("an empty array holds no CloudEvent")
    return [_parse_one(item, request, index) for index, item in enumerate(cloud_events)]


def _parse_one(item: Any, request: RequestData, index: int) -> Parsed:
    where = f"CloudEvent #{index}"
    if not isinstance(item, dict):
        raise BadRequest(f"{where} is not a JSON object")
    if not item.get("id"):
        raise BadRequest(f"{where} has no 'id'")
    raw_data = item.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    payload = parse_payload(data.get("payload"))
    resource_sid = payload.resource_sid or text_or_none(data.get("resource_sid"))
    event = Event(
        source=Source.EVENT_STREAM,
        time=parse_time(item.get("time"), request.received_at),
        level=level(data.get("level")),
        error_code=text_or_none(data.get("error_code")) or payload.error_code,
        product=text_or_none(data.get("product_name")),
        message=payload.message,
        event_sid=text_or_none(data.get("sid")),
        account_sid=text_or_none(data.get("account_sid")),
        parent_account_sid=text_or_none(data.get("parent_account_sid")),
        resource_sid=resource_sid,
        resource_type=resource_type(resource_sid),
        service_sid=text_or_none(data.get("service_sid")) or payload.service_sid,
        url=payload.url,
        method=payload.method,
        http_status=payload.http_status,
        response_body=payload.response_body,
    )
    return Parsed(event=event, identity=str(item["id"]))
