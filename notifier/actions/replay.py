"""Send stored notifications again, marked as a replay, to the channel each went to."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from notifier.actions.actor import ActionError, Actor
from notifier.actions.audit import record
from notifier.notices import Reason
from notifier.store.audit import AuditAction
from notifier.store.outbox import (
    DigestMessage,
    Stored,
    enqueue,
    enqueue_digest,
    mark_replayed,
    notices_by_ids,
)


def replay(
    conn: Connection, actor: Actor, notification_ids: Sequence[int], *, now: datetime
) -> int:
    """Queue the notifications again; returns how many. Any unknown id refuses them all."""
    ids = sorted(set(notification_ids))
    if not ids:
        return 0
    found = notices_by_ids(conn, ids)
    missing = sorted(set(ids) - {stored.id for stored in found})
    if missing:
        raise ActionError(f"no notification with id {', '.join(map(str, missing))}")
    for stored in found:
        _enqueue_again(conn, stored, now)
    mark_replayed(conn, ids)
    target = f"notification {ids[0]}" if len(ids) == 1 else f"{len(ids)} notifications"
    record(conn, actor, AuditAction.REPLAY, target, "ids " + ", ".join(map(str, ids)), now)
    return len(found)


def _enqueue_again(conn: Connection, stored: Stored, now: datetime) -> None:
    """To the same channel of the same receiver; a digest again as it was rendered."""
    content = stored.content
    if isinstance(content, DigestMessage):
        row = (stored.receiver, stored.channel or "", content)
        enqueue_digest(conn, stored.route, stored.group_key, [row], now)
        return
    again = dataclasses.replace(content, reason=Reason.REPLAY, receivers=(stored.receiver,))
    enqueue(conn, again, stored.cycle, now, channel=stored.channel)
