"""The outbox: one stored delivery per notice and receiver, claimed, retried and recorded."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, case, func, insert, or_, select, update

from notifier.notices import Notice, notice_from_json, notice_to_json
from notifier.store.schema import notifications

PENDING, SENT, FAILED = "pending", "sent", "failed"
FOLDED_NOTE = "folded into storm summary"
# Bound parameters per statement: SQLite allows 32,766, a storm may fold more deliveries.
_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    receiver: str
    cycle: int
    attempts: int
    notice: Notice
    # Set when an earlier attempt may have been delivered without it being recorded.
    in_doubt_since: datetime | None = None


def enqueue(conn: Connection, notice: Notice, cycle: int, now: datetime) -> None:
    """One pending delivery per receiver of the notice."""
    encoded = json.dumps(notice_to_json(notice), separators=(",", ":"))
    rows = [
        {
            "route": notice.route,
            "receiver": receiver,
            "reason": notice.reason.value,
            "group_key": notice.group_key,
            "cycle": cycle,
            "notice": encoded,
            "status": PENDING,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }
        for receiver in notice.receivers
    ]
    if rows:
        conn.execute(insert(notifications), rows)


def claim_deliveries(
    conn: Connection, now: datetime, lease: timedelta, limit: int
) -> list[Delivery]:
    """Lease due deliveries, oldest first; a worker that died gives them up when the lease ends."""
    return _claim(conn, _due(now).limit(limit), now, lease)


def claim_for_receivers(
    conn: Connection, receivers: Sequence[str], now: datetime, lease: timedelta
) -> list[Delivery]:
    """Lease every due delivery to these receivers: a storm summary stands in for them all."""
    return _claim(conn, _due(now).where(notifications.c.receiver.in_(receivers)), now, lease)


def _due(now: datetime) -> Select[tuple[int]]:
    return (
        select(notifications.c.id)
        .where(notifications.c.status == PENDING)
        .where(notifications.c.next_attempt_at <= now)
        .where(or_(notifications.c.lease_until.is_(None), notifications.c.lease_until < now))
        .order_by(notifications.c.id)
    )


def _claim(
    conn: Connection, candidates: Select[tuple[int]], now: datetime, lease: timedelta
) -> list[Delivery]:
    locked = candidates.with_for_update(skip_locked=True).scalar_subquery()
    # A lease still set on a due row is one its worker never gave back: it died mid-send.
    abandoned = notifications.c.lease_until.is_not(None)
    statement = (
        update(notifications)
        .where(notifications.c.id.in_(locked))
        .values(
            lease_until=now + lease,
            attempts=notifications.c.attempts + 1,
            claimed_at=now,
            in_doubt_since=case((abandoned, _doubt_since()), else_=notifications.c.in_doubt_since),
        )
        .returning(
            notifications.c.id,
            notifications.c.receiver,
            notifications.c.cycle,
            notifications.c.attempts,
            notifications.c.notice,
            notifications.c.in_doubt_since,
        )
    )
    deliveries = [
        Delivery(
            row.id,
            row.receiver,
            row.cycle,
            row.attempts,
            notice_from_json(json.loads(row.notice)),
            row.in_doubt_since,
        )
        for row in conn.execute(statement)
    ]
    return sorted(deliveries, key=lambda delivery: delivery.id)


def _doubt_since() -> ColumnElement[datetime]:
    """The earliest attempt whose outcome is unknown: kept, or else the last claim's time."""
    columns = notifications.c
    return func.coalesce(columns.in_doubt_since, columns.claimed_at, columns.created_at)


def mark_sent(conn: Connection, ids: Sequence[int], now: datetime) -> None:
    _set(conn, ids, status=SENT, sent_at=now, lease_until=None, last_error=None)


def mark_folded(conn: Connection, ids: Sequence[int], now: datetime) -> None:
    """Deliveries a storm summary stood in for: sent, with a note saying so."""
    _set(conn, ids, status=SENT, sent_at=now, lease_until=None, last_error=FOLDED_NOTE)


def mark_retry(
    conn: Connection, ids: Sequence[int], at: datetime, error: str, *, unknown: bool = False
) -> None:
    """`unknown`: this attempt may have been delivered (a timeout), so the next one checks."""
    doubt = {"in_doubt_since": _doubt_since()} if unknown else {}
    _set(conn, ids, next_attempt_at=at, lease_until=None, last_error=error, **doubt)


def mark_deferred(conn: Connection, ids: Sequence[int], at: datetime) -> None:
    """Only waiting for the channel's turn: the attempt counted by the claim is given back."""
    _set(conn, ids, next_attempt_at=at, lease_until=None, attempts=notifications.c.attempts - 1)


def mark_failed(conn: Connection, ids: Sequence[int], error: str) -> None:
    _set(conn, ids, status=FAILED, lease_until=None, last_error=error)


def _set(conn: Connection, ids: Sequence[int], **values: Any) -> None:
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        conn.execute(update(notifications).where(notifications.c.id.in_(chunk)).values(**values))


def list_notifications(conn: Connection, *, failed_only: bool, limit: int) -> list[dict[str, Any]]:
    query = select(
        notifications.c.id,
        notifications.c.route,
        notifications.c.receiver,
        notifications.c.reason,
        notifications.c.group_key,
        notifications.c.status,
        notifications.c.attempts,
        notifications.c.last_error,
        notifications.c.created_at,
        notifications.c.sent_at,
    )
    if failed_only:
        query = query.where(notifications.c.status == FAILED)
    rows = conn.execute(query.order_by(notifications.c.id.desc()).limit(limit))
    return [dict(row._mapping) for row in rows]


def notices_by_ids(conn: Connection, ids: Sequence[int]) -> list[tuple[str, int, Notice]]:
    query = select(notifications.c.receiver, notifications.c.cycle, notifications.c.notice).where(
        notifications.c.id.in_(ids)
    )
    return [
        (row.receiver, row.cycle, notice_from_json(json.loads(row.notice)))
        for row in conn.execute(query)
    ]


REPLAYED = "replayed"


def failed_ids(conn: Connection) -> list[int]:
    query = select(notifications.c.id).where(notifications.c.status == FAILED)
    return list(conn.execute(query.order_by(notifications.c.id)).scalars())


def mark_replayed(conn: Connection, ids: Sequence[int]) -> None:
    """A failed delivery that was queued again is no longer listed as failed."""
    conn.execute(
        update(notifications)
        .where(notifications.c.id.in_(ids))
        .where(notifications.c.status == FAILED)
        .values(status=REPLAYED)
    )
