"""What every medium shows about a notice, as raw (unescaped) labelled values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from notifier.events import Event, Source
from notifier.notices import Notice, Reason
from notifier.render.context import (
    RenderContext,
    account_label,
    duration_text,
    local_time,
    parent_account_label,
    reason_text,
)
from notifier.twilio import sids

Fact = tuple[str, str]
Row = tuple[str, str | None]
MAX_ADVICE = 3  # causes and solutions shown of each

# Each source in words: shown as a fact, and the title when the catalog does not name the error.
SOURCE_NAMES: dict[str, str] = {
    Source.DEBUGGER: "Debugger",
    Source.USAGE_TRIGGER: "Usage trigger",
    Source.ALARM: "Console alarm",
    Source.EVENT_STREAM: "Event Streams",
    Source.FALLBACK: "Fallback URL",
}


def title(event: Event) -> str:
    """`ERROR 11200 HTTP retrieval failure`: level, code and catalog message."""
    return " ".join(p for p in (event.level.upper(), event.error_code, summary(event)) if p)


def summary(event: Event) -> str:
    """The catalog message, or what kind of event this is, in words, when the catalog has none."""
    if event.error_message:
        return event.error_message
    describe = _SUMMARIES.get(event.source)
    return describe(event) if describe else f"{source_name(event)} {event.level}"


def source_name(event: Event) -> str:
    return SOURCE_NAMES.get(event.source, event.source.replace("_", " "))


def _usage_summary(event: Event) -> str:
    current = usage_value(event, event.current_value)
    at = f" at {current}" if current else ""
    return f"Usage trigger fired: {category_name(event.usage_category)}{at}"


_SUMMARIES: dict[str, Callable[[Event], str]] = {
    Source.USAGE_TRIGGER: _usage_summary,
    Source.ALARM: lambda event: "Console alarm fired",
    Source.FALLBACK: lambda event: "Fallback URL used",
}


def facts(notice: Notice, ctx: RenderContext) -> list[Fact]:
    """Labelled values in display order; missing ones are left out."""
    event = notice.event
    source_facts = _SOURCE_FACTS.get(event.source)
    rows: list[Row] = [
        ("Route", notice.route),
        ("Source", source_name(event)),
        ("Account", account_label(event, ctx)),
        ("Parent account", parent_account_label(event, ctx)),
        ("Product", event.product),
        ("Resource", _resource(event)),
        ("Service", event.service_sid),
        ("Count", str(notice.count)),
        ("First seen", local_time(notice.first_seen, ctx)),
        ("Last seen", local_time(notice.last_seen, ctx)),
        ("Reason", reason_text(notice, ctx)),
        *(source_facts(event) if source_facts else []),
    ]
    return [(label, value) for label, value in rows if value]


def resource_kind(event: Event) -> str | None:
    """`call`, `phone number`, `usage trigger`: the resource's type in words."""
    kind = event.resource_type or sids.resource_type(event.resource_sid)
    return kind.replace("_", " ") if kind else None


def _resource(event: Event) -> str | None:
    if not event.resource_sid:
        return None
    kind = resource_kind(event)
    return f"{kind} {event.resource_sid}" if kind else event.resource_sid


def usage_facts(event: Event) -> list[Row]:
    return [
        ("Usage category", category_name(event.usage_category)),
        ("Trigger value", usage_value(event, event.trigger_value)),
        ("Current value", usage_value(event, event.current_value)),
        ("Period", PERIODS.get(event.recurring or "", event.recurring)),
    ]


def alarm_facts(event: Event) -> list[Row]:
    return [
        ("Trigger value", _errors(event.trigger_value)),
        ("Current value", _errors(event.current_value)),
        ("Period", f"{event.recurring} window" if event.recurring else None),
    ]


_SOURCE_FACTS: dict[str, Callable[[Event], list[Row]]] = {
    Source.USAGE_TRIGGER: usage_facts,
    Source.ALARM: alarm_facts,
}
# Twilio's `Recurring` values; an empty one means the trigger fires once.
PERIODS: dict[str, str] = {
    "": "once",
    "daily": "every day",
    "monthly": "every month",
    "yearly": "every year",
    "alltime": "all time",
}
CATEGORIES: dict[str, str] = {
    "totalprice": "total price",
    "calls": "calls",
    "calls-inbound": "inbound calls",
    "calls-outbound": "outbound calls",
    "sms": "SMS",
    "sms-inbound": "inbound SMS",
    "sms-outbound": "outbound SMS",
    "mms": "MMS",
    "phonenumbers": "phone numbers",
    "recordings": "recordings",
}


def category_name(category: str | None) -> str:
    """`totalprice` -> `total price`; an unlisted category keeps its name, dashes as spaces."""
    if not category:
        return "unknown category"
    return CATEGORIES.get(category, category.replace("-", " "))


def usage_value(event: Event, value: str | None) -> str | None:
    """Money when the trigger counts price (Twilio bills usage triggers in USD), else units."""
    return money(value) if event.trigger_by == "price" else quantity(value)


def money(value: str | None) -> str | None:
    """`12.5` -> `$12.50`; unparseable text is kept."""
    number = _decimal(value)
    return f"${number:,.2f}" if number is not None else value


def quantity(value: str | None) -> str | None:
    number = _decimal(value)
    if number is None:
        return value
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,}"


def _errors(value: str | None) -> str | None:
    shown = quantity(value)
    return f"{shown} errors" if shown and _decimal(value) is not None else shown


def _decimal(value: str | None) -> Decimal | None:
    try:
        number = Decimal(value or "")
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class Detail(NamedTuple):
    """A longer text shown under its label; `code` when it is shown as sent (a request)."""

    label: str
    text: str
    code: bool


# What the event's URL is, by source; a usage trigger's URL is its usage record, not a request.
_URL_LABELS: dict[str, str] = {
    Source.DEBUGGER: "Request",
    Source.EVENT_STREAM: "Request",
    Source.FALLBACK: "Failed URL",
}


def details(event: Event) -> list[Detail]:
    """The event's message, the failed webhook's request and its response, when present."""
    label = _URL_LABELS.get(event.source)
    found = [
        Detail("Message", event.message or "", code=False),
        Detail(label or "", (request_line(event) or "") if label else "", code=True),
        Detail("Response", response_text(event) or "", code=True),
    ]
    return [detail for detail in found if detail.text]


def request_line(event: Event) -> str | None:
    """The failed webhook's request: `POST https://…`."""
    if not event.url:
        return None
    return f"{(event.method or 'POST').upper()} {event.url}"


def response_text(event: Event) -> str | None:
    if event.http_status is None and not event.response_body:
        return None
    status = f"HTTP {event.http_status}" if event.http_status is not None else "HTTP ?"
    return f"{status}\n{event.response_body}" if event.response_body else status


def links(event: Event) -> list[Fact]:
    """(label, url) pairs the bot builds itself: the Console page of the event and of its
    resource (alarm, call, message, number, trigger), and the error's docs."""
    found: list[Fact] = []
    if event.source in (Source.DEBUGGER, Source.EVENT_STREAM):
        found.append(("Console event", sids.debugger_link(event.event_sid)))
    resource = sids.resource_link(event.resource_sid, event.resource_type)
    if resource:
        found.append((f"Open {resource_kind(event) or 'resource'}", resource))
    if event.error_code:
        found.append(("Error docs", sids.error_docs_link(event.error_code)))
    return found


@dataclass(frozen=True)
class Advice:
    """What to try: the catalog's first possible causes and solutions, and where to read more."""

    causes: tuple[str, ...]
    solutions: tuple[str, ...]
    docs: str


def advice(event: Event, ctx: RenderContext) -> Advice | None:
    entry = ctx.catalog.lookup(event.error_code)
    if entry is None or not (entry.causes or entry.solutions):
        return None
    docs = sids.error_docs_link(entry.code)
    return Advice(entry.causes[:MAX_ADVICE], entry.solutions[:MAX_ADVICE], docs)


def status_line(notice: Notice, ctx: RenderContext) -> str:
    """`12 events, last seen 14:05 CEST: repeat (…)`: what an edited message shows first."""
    plural = "" if notice.count == 1 else "s"
    last = local_time(notice.last_seen, ctx, "%H:%M %Z")
    return f"{notice.count} event{plural}, last seen {last}: {reason_text(notice, ctx)}"


def follow_up(notice: Notice, ctx: RenderContext) -> str | None:
    """One line for a notice that continues a group's conversation (what changed, counts,
    since when), None for one that starts it."""
    describe = _FOLLOW_UPS.get(notice.reason)
    return describe(notice, ctx) if describe else None


def _repeat(notice: Notice, ctx: RenderContext) -> str:
    since = local_time(notice.since or notice.first_seen, ctx, "%H:%M")
    last = local_time(notice.last_seen, ctx, "%H:%M %Z")
    return (
        f"Still happening: {notice.new_count} more since {since}; "
        f"{notice.count} in all, last seen {last}."
    )


def _resolved(notice: Notice, ctx: RenderContext) -> str:
    first = local_time(notice.first_seen, ctx, "%H:%M")
    last = local_time(notice.last_seen, ctx, "%H:%M %Z")
    return f"Resolved: quiet since {last}; {notice.count} in all from {first} to {last}."


def _joined(notice: Notice, ctx: RenderContext) -> str:
    last = local_time(notice.last_seen, ctx, "%H:%M %Z")
    interval = ctx.group_intervals.get(notice.route)
    then = f"; next update within {duration_text(interval)}" if interval else ""
    return f"Joined group {notice.group_key}: {notice.count} in all, last seen {last}{then}."


_FOLLOW_UPS: dict[Reason, Callable[[Notice, RenderContext], str]] = {
    Reason.REPEAT: _repeat,
    Reason.RESOLVED: _resolved,
    Reason.NEW_IN_GROUP: _joined,
    Reason.JOINED: _joined,
}
