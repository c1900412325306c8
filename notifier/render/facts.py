"""What every medium shows about a notice, as raw (unescaped) labelled values."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from notifier.events import Event, Source
from notifier.notices import Notice
from notifier.render.context import RenderContext, account_label, local_time, reason_text
from notifier.twilio import sids

Fact = tuple[str, str]


def title(event: Event) -> str:
    """`ERROR 11200 HTTP retrieval failure`: level, code and catalog message."""
    return " ".join(p for p in (event.level.upper(), event.error_code, summary(event)) if p)


def summary(event: Event) -> str:
    """The catalog message, or what kind of event this is when the catalog has none."""
    if event.error_message:
        return event.error_message
    if event.source == Source.USAGE_TRIGGER:
        return f"Usage trigger fired: {event.usage_category or 'unknown category'}"
    if event.source == Source.ALARM:
        return "Console alarm fired"
    return f"Twilio {event.source} event"


def facts(notice: Notice, ctx: RenderContext) -> list[Fact]:
    """Labelled values in display order; missing ones are left out."""
    event = notice.event
    rows: list[tuple[str, str | None]] = [
        ("Route", notice.route),
        ("Account", account_label(event, ctx)),
        ("Product", event.product),
        ("Resource", _resource(event)),
        ("Service", event.service_sid),
        ("Count", str(notice.count)),
        ("First seen", local_time(notice.first_seen, ctx)),
        ("Last seen", local_time(notice.last_seen, ctx)),
        ("Reason", reason_text(notice, ctx)),
        *usage_facts(event),
    ]
    return [(label, value) for label, value in rows if value]


def _resource(event: Event) -> str | None:
    if not event.resource_sid:
        return None
    kind = event.resource_type or sids.resource_type(event.resource_sid)
    return f"{kind} {event.resource_sid}" if kind else event.resource_sid


def usage_facts(event: Event) -> list[tuple[str, str | None]]:
    if event.source != Source.USAGE_TRIGGER:
        return []
    as_value = money if event.trigger_by == "price" else quantity
    return [
        ("Usage category", event.usage_category),
        ("Trigger by", event.trigger_by),
        ("Trigger value", as_value(event.trigger_value)),
        ("Current value", as_value(event.current_value)),
        ("Recurring", event.recurring),
    ]


def money(value: str | None) -> str | None:
    """`12.5` -> `$12.50` (Twilio bills usage triggers in USD); unparseable text is kept."""
    number = _decimal(value)
    return f"${number:,.2f}" if number is not None else value


def quantity(value: str | None) -> str | None:
    number = _decimal(value)
    if number is None:
        return value
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,}"


def _decimal(value: str | None) -> Decimal | None:
    try:
        number = Decimal(value or "")
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


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
    """(label, url) pairs the bot builds itself: the Console, the resource, the docs."""
    if event.source == Source.USAGE_TRIGGER:
        found = [("Usage triggers", sids.usage_triggers_link())]
    else:
        found = [("Console event", sids.debugger_link(event.event_sid))]
    resource = sids.resource_link(event.resource_sid)
    if resource:
        found.append(("Open resource", resource))
    if event.error_code:
        found.append(("Error docs", sids.error_docs_link(event.error_code)))
    return found
