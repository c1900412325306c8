"""An event from a file: a stored event's JSON, a CloudEvent, or a webhook's form body."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from notifier.errors import UserError
from notifier.events import Event
from notifier.ingest import alarms, debugger, event_streams, fallback, usage_triggers
from notifier.ingest.request import BadRequest, FormFields, Parsed, RequestData


def event_from_file(path: Path) -> Event:
    """The one event a file holds; a file of several is refused rather than half-answered."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot read the event: {error.strerror}") from None
    try:
        events = events_from_text(text)
    except (BadRequest, ValueError, KeyError) as error:
        raise UserError(f"{path}: not an event: {error}") from None
    if len(events) != 1:
        found = len(events) or "none (an empty array)"
        raise UserError(f"{path}: one event is expected, the file holds {found}{_HINT}")
    return events[0]


# Several events usually come from `notifier events --json`, which prints newest first.
_HINT = " (`notifier events --json --limit 1` prints the newest alone)"


def events_from_text(text: str) -> list[Event]:
    """JSON: `notifier events --json` output or one of its entries, or CloudEvents (one or an
    array); anything else is a webhook's form body."""
    now = datetime.now(UTC)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    items = data if isinstance(data, list) else [data]
    if data == [] or (data is not None and all(_printed(item) for item in items)):
        return [Event.from_json(item) for item in items]
    if data is not None:
        request = RequestData({}, data, text, {}, now)
        return [parsed.event for parsed in event_streams.parse(request)]
    fields = FormFields.decode(text.strip())
    request = RequestData(fields, None, text, {}, now)
    return [parsed.event for parsed in _form_parser(fields)(request)]


def _printed(item: Any) -> bool:
    """An event as `notifier events --json` prints it (a CloudEvent has `specversion` too)."""
    return (
        isinstance(item, dict) and {"source", "time"} <= item.keys() and "specversion" not in item
    )


def _form_parser(fields: dict[str, str]) -> Callable[[RequestData], list[Parsed]]:
    if "UsageTriggerSid" in fields:
        return usage_triggers.parse
    if "AppMonitorTriggerSid" in fields:
        return alarms.parse
    if "ErrorUrl" in fields:
        return fallback.parse
    return debugger.parse
