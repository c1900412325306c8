"""Notices as the pipeline hands them to delivery."""

from dataclasses import replace
from typing import Any

from fakes.events import make_event
from notifier.events import Event
from notifier.notices import Notice, Reason


def make_notice(
    group: str = "webhooks|11200",
    *receivers: str,
    reason: Reason = Reason.FIRST,
    event: Event | None = None,
    **fields: Any,
) -> Notice:
    """A notice of `event` (by default `make_event()`) in `group` of route "webhooks", first and
    last seen when the event happened, to `receivers` (by default "slack"); `fields` set any
    other Notice field (count, new_count, since, threshold, route...)."""
    event = event or make_event()
    notice = Notice(
        "webhooks", group, reason, event, 1, event.time, event.time, receivers or ("slack",)
    )
    return replace(notice, **fields)
