"""Pruning by `settings.retention`: events, their outcomes and finished notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, select

from notifier.store.events import prune_events
from notifier.store.outbox import PENDING
from notifier.store.schema import event_outcomes, events, inhibit_marks, notifications


def prune(conn: Connection, before: datetime) -> dict[str, int]:
    """Delete history older than `before`; a pending delivery is kept however old it is."""
    # Outcomes go with their events (by when the event was received, not Twilio's own time).
    old_events = select(events.c.id).where(events.c.received_at < before)
    removed = {
        "outcomes": conn.execute(
            delete(event_outcomes).where(event_outcomes.c.event_id.in_(old_events))
        ).rowcount
    }
    removed["events"] = prune_events(conn, before)
    removed["notifications"] = conn.execute(
        delete(notifications)
        .where(notifications.c.created_at < before)
        .where(notifications.c.status != PENDING)
    ).rowcount
    removed["inhibit marks"] = conn.execute(
        delete(inhibit_marks).where(inhibit_marks.c.last_seen < before)
    ).rowcount
    return removed
