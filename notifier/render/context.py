"""What every renderer needs besides the notice: the user's timezone, account names and the
error-code catalog (its possible causes and solutions stay out of the stored event)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from notifier.events import Event
from notifier.notices import Notice, Reason
from notifier.twilio.catalog import Catalog, bundled_catalog


@dataclass(frozen=True)
class RenderContext:
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    accounts: dict[str, str] = field(default_factory=dict)
    catalog: Catalog = field(default_factory=bundled_catalog)
    # Each route's group_interval, so an update can say when the next one comes at the latest.
    group_intervals: dict[str, timedelta] = field(default_factory=dict)
    # Slack messages carry Silence/Acknowledge buttons (SLACK_SIGNING_SECRET is set).
    interactive: bool = False


def local_time(moment: datetime, ctx: RenderContext, fmt: str = "%Y-%m-%d %H:%M:%S %Z") -> str:
    return moment.astimezone(ctx.timezone).strftime(fmt)


def account_label(event: Event, ctx: RenderContext) -> str | None:
    """`production (AC…)`, the bare SID when it has no friendly name, None when unknown."""
    return _named(event.account_sid, event.account_name, ctx)


def parent_account_label(event: Event, ctx: RenderContext) -> str | None:
    """The parent of a sub-account, named like the account; None for a main account."""
    parent = event.parent_account_sid
    if not parent or parent == event.account_sid:
        return None
    return _named(parent, None, ctx)


def _named(sid: str | None, name: str | None, ctx: RenderContext) -> str | None:
    name = name or (ctx.accounts.get(sid) if sid else None)
    if name and sid:
        return f"{name} ({sid})"
    return name or sid


def duration_text(span: timedelta) -> str:
    """`10m`, `1h`, `90s`: the largest unit that divides the span exactly."""
    seconds = int(span.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def reason_text(notice: Notice, ctx: RenderContext) -> str:
    """Why this notice was sent, in the words the user reads."""
    if notice.reason is Reason.REPEAT:
        since = local_time(notice.since or notice.first_seen, ctx, "%H:%M")
        return f"repeat (still happening: {notice.new_count} more since {since})"
    if notice.reason is Reason.THRESHOLD and notice.threshold:
        count, within = notice.threshold
        return f"threshold reached: {count} in {duration_text(within)}"
    return _PLAIN_REASONS[notice.reason]


_PLAIN_REASONS: dict[Reason, str] = {
    Reason.FIRST: "first",
    Reason.NEW_IN_GROUP: "new in group",
    Reason.REPEAT: "repeat",
    Reason.THRESHOLD: "threshold reached",
    Reason.RESOLVED: "resolved/quiet",
    Reason.DIGEST: "digest",
    Reason.REPLAY: "replay",
    Reason.JOINED: "joined group",
}
