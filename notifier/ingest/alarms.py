"""Console Alarm webhooks, as form fields or a JSON object."""

from __future__ import annotations

from collections.abc import Mapping

from notifier.events import Event, Source
from notifier.ingest.request import (
    BadRequest,
    Parsed,
    RequestData,
    parse_time,
    require,
    text_or_none,
)


def parse(request: RequestData) -> list[Parsed]:
    fields = _fields(request)
    require(fields, "AccountSid")
    event = Event(
        source=Source.ALARM,
        time=parse_time(fields.get("DateFired"), request.received_at),
        level="warning" if fields.get("Log", "").lower() == "warning" else "error",
        error_code=text_or_none(fields.get("ErrorCode")),
        message=text_or_none(fields.get("Description")),
        account_sid=text_or_none(fields.get("AccountSid")),
        resource_sid=text_or_none(fields.get("AppMonitorTriggerSid")),
        resource_type="alarm",
        trigger_value=text_or_none(fields.get("TriggerValue")),
        current_value=text_or_none(fields.get("CurrentValue")),
        recurring=text_or_none(fields.get("TimePeriod")),
    )
    identity = text_or_none(fields.get("IdempotencyToken"))
    return [Parsed(event=event, identity=identity)]


def _fields(request: RequestData) -> Mapping[str, str]:
    if request.json is None:
        return request.fields
    if not isinstance(request.json, dict):
        raise BadRequest("an alarm's JSON body must be an object")
    return {str(k): "" if v is None else str(v) for k, v in request.json.items()}
