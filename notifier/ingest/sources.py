"""The five Twilio endpoints: path, methods, accepted bodies and parser of each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from notifier.events import Source
from notifier.ingest import alarms, debugger, event_streams, fallback, usage_triggers
from notifier.ingest.request import Parsed, RequestData

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class SourceSpec:
    source: Source
    path: str
    methods: tuple[str, ...]
    content_types: tuple[str, ...]
    parse: Callable[[RequestData], list[Parsed]]


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(Source.DEBUGGER, "/twilio/debugger", ("POST",), (FORM,), debugger.parse),
    SourceSpec(
        Source.USAGE_TRIGGER,
        "/twilio/usage-triggers",
        ("GET", "POST"),
        (FORM,),
        usage_triggers.parse,
    ),
    SourceSpec(Source.ALARM, "/twilio/alarms", ("POST",), (FORM, JSON), alarms.parse),
    SourceSpec(
        Source.EVENT_STREAM, "/twilio/event-streams", ("POST",), (JSON,), event_streams.parse
    ),
    SourceSpec(Source.FALLBACK, "/twilio/fallback", ("GET", "POST"), (FORM,), fallback.parse),
)
