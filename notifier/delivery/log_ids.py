"""The ids a log line about deliveries carries (`extra=`, shown by LOG_FORMAT=json), so that a
log drain can follow one delivery, its receiver and its alert group."""

from __future__ import annotations

from collections.abc import Sequence

from notifier.notices import Notice
from notifier.store.outbox import Delivery


def log_ids(deliveries: Sequence[Delivery]) -> dict[str, object]:
    """Every id of a single delivery; of several (a folded storm), those they share."""
    ids = _shared("delivery_id", {delivery.id for delivery in deliveries})
    ids |= _shared("receiver", {delivery.receiver for delivery in deliveries})
    notices = [d.content for d in deliveries if isinstance(d.content, Notice)]
    if notices and len(notices) == len(deliveries):
        ids |= _shared("group_key", {notice.group_key for notice in notices})
        ids |= _shared("route", {notice.route for notice in notices})
    return ids


def _shared(name: str, values: set[int] | set[str]) -> dict[str, object]:
    return {name: next(iter(values))} if len(values) == 1 else {}
