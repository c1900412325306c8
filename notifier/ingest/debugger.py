"""Console Debugger webhook: form fields with a JSON `Payload`."""

from __future__ import annotations

from notifier.events import Event, Source
from notifier.ingest.payload import parse_payload
from notifier.ingest.request import Parsed, RequestData, level, parse_time, require, text_or_none
from notifier.twilio.sids import resource_type


def parse(request: RequestData) -> list[Parsed]:
    fields = request.fields
    require(fields, "AccountSid")
    payload = parse_payload(fields.get("Payload"))
    event = Event(
        source=Source.DEBUGGER,
        time=parse_time(fields.get("Timestamp"), request.received_at),
        level=level(fields.get("Level") or payload.log_level),
        error_code=payload.error_code,
        message=payload.message,
        event_sid=text_or_none(fields.get("Sid")),
        account_sid=text_or_none(fields.get("AccountSid")),
        parent_account_sid=text_or_none(fields.get("ParentAccountSid")),
        resource_sid=payload.resource_sid,
        resource_type=resource_type(payload.resource_sid),
        service_sid=payload.service_sid,
        url=payload.url,
        method=payload.method,
        http_status=payload.http_status,
        response_body=payload.response_body,
    )
    return [Parsed(event=event, identity=event.event_sid)]
