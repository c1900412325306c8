"""An event from a file: a stored event's JSON, a CloudEvent, or a webhook's form body."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from notifier.errors import UserError
from notifier.events import Event
from notifier.ingest import alarms, debugger, event_streams, fallback, usage_triggers
from notifier.ingest.request import BadRequest, FormFields, Parsed, RequestData


def event_from_file(path: Path) -> Event:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot read the event: {error.strerror}") from None
    try:
        return event_from_text(text)
    except (BadRequest, ValueError, KeyError) as error:
        raise UserError(f"{path}: not an event: {error}") from None


def event_from_text(text: str) -> Event:
    """JSON: an event as `notifier events --json` prints it, or CloudEvents; else a form body."""
    now = datetime.now(UTC)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and "source" in data and "time" in data:
        return Event.from_json(data)
    if data is not None:
        request = RequestData({}, data, text, {}, now)
        return event_streams.parse(request)[0].event
    fields = FormFields.decode(text.strip())
    request = RequestData(fields, None, text, {}, now)
    return _form_parser(fields)(request)[0].event


def _form_parser(fields: dict[str, str]) -> Callable[[RequestData], list[Parsed]]:
    if "UsageTriggerSid" in fields:
        return usage_triggers.parse
    if "AppMonitorTriggerSid" in fields:
        return alarms.parse
    if "ErrorUrl" in fields:
        return fallback.parse
    return debugger.parse
