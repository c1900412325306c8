"""Usage Trigger callbacks (billing thresholds); Twilio may call more than once per firing."""

from __future__ import annotations

from notifier.events import Event, Source
from notifier.ingest.request import Parsed, RequestData, parse_time, require, text_or_none


def parse(request: RequestData) -> list[Parsed]:
    fields = request.fields
    require(fields, "AccountSid", "UsageTriggerSid")
    category = text_or_none(fields.get("UsageCategory"))
    event = Event(
        source=Source.USAGE_TRIGGER,
        time=parse_time(fields.get("DateFired"), request.received_at),
        level="warning",
        message=_message(fields.get("CurrentValue"), fields.get("TriggerValue"), category),
        account_sid=text_or_none(fields.get("AccountSid")),
        resource_sid=text_or_none(fields.get("UsageTriggerSid")),
        resource_type="usage_trigger",
        url=text_or_none(fields.get("UsageRecordUri")),
        usage_category=category,
        usage_trigger_sid=text_or_none(fields.get("UsageTriggerSid")),
        trigger_by=text_or_none(fields.get("TriggerBy")),
        trigger_value=text_or_none(fields.get("TriggerValue")),
        current_value=text_or_none(fields.get("CurrentValue")),
        recurring=text_or_none(fields.get("Recurring")),
    )
    identity = text_or_none(fields.get("IdempotencyToken")) or (
        f"{event.usage_trigger_sid}:{fields.get('DateFired', '')}"
    )
    return [Parsed(event=event, identity=identity)]


def _message(current: str | None, trigger: str | None, category: str | None) -> str:
    return f"Usage of {category or 'unknown category'} reached {current} (trigger at {trigger})"
