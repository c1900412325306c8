"""The outbox: one stored delivery per notice (or digest) and receiver channel, claimed, retried
and recorded; each row's status is a DeliveryStatus."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    func,
    insert,
    or_,
    select,
    update,
)

from notifier.notices import Notice, Reason, notice_from_json, notice_to_json
from notifier.rules.model import Receiver, shows
from notifier.store.schema import notifications


class DeliveryStatus(StrEnum):
    """A notification's status in the history, and what the metrics count an attempt as."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    REPLAYED = "replayed"  # failed, then queued again by `notifier replay`
    # Counted by the metrics only: the row stays pending (retry, deferred) or is stored as sent.
    RETRY = "retry"
    DEFERRED = "deferred"
    FOLDED = "folded"
    SUPPRESSED = "suppressed"  # never queued: dropped, silenced, inhibited, muted, below threshold


PENDING, SENT, FAILED = DeliveryStatus.PENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED
REPLAYED = DeliveryStatus.REPLAYED
FOLDED_NOTE = "folded into storm summary"
# Bound parameters per statement: SQLite allows 32,766, a storm may fold more deliveries.
_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class DigestMessage:
    """A digest rendered for one channel when its period was claimed: the channel's JSON."""

    name: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    receiver: str
    # The key of the receiver's channel; None in rows stored before receivers had several.
    channel: str | None
    cycle: int
    attempts: int
    content: Notice | DigestMessage
    # Set when an earlier attempt may have been delivered without it being recorded.
    in_doubt_since: datetime | None = None


def enqueue(
    conn: Connection,
    notice: Notice,
    cycle: int,
    now: datetime,
    receivers: Mapping[str, Receiver] | None = None,
    *,
    channel: str | None = None,
) -> None:
    """One pending delivery per channel of each receiver of the notice (`receivers`: the rules'),
    or only to `channel` (a replay of one row)."""
    targets = [
        (receiver, key)
        for receiver in notice.receivers
        for key in ([channel] if channel else _channel_keys(receivers, receiver, notice.reason))
    ]
    if not targets:
        return  # the common case for a joining event: no console among the receivers
    encoded = json.dumps(notice_to_json(notice), separators=(",", ":"))
    rows = [
        _row(notice.route, receiver, key, notice.reason, notice.group_key, cycle, encoded, now)
        for receiver, key in targets
    ]
    conn.execute(insert(notifications), rows)


def enqueue_digest(
    conn: Connection,
    route: str,
    group_key: str,
    rows: list[tuple[str, str, DigestMessage]],
    now: datetime,
) -> list[int]:
    """One pending delivery per (receiver, channel key, message); returns their ids."""
    values = [
        _row(route, receiver, key, Reason.DIGEST, group_key, 0, _digest_json(message), now)
        for receiver, key, message in rows
    ]
    if not values:
        return []
    inserted = conn.execute(insert(notifications).returning(notifications.c.id), values)
    return sorted(inserted.scalars())


def _channel_keys(
    receivers: Mapping[str, Receiver] | None, name: str, reason: Reason
) -> list[str | None]:
    receiver = receivers.get(name) if receivers is not None else None
    if receiver is None or not receiver.channels:
        # The deliverer fails it, naming the receiver; a joining event is not worth that.
        return [] if reason is Reason.JOINED else [None]
    return [config.key for config in receiver.channels if shows(config, reason)]


def _row(
    route: str,
    receiver: str,
    channel: str | None,
    reason: Reason,
    group_key: str,
    cycle: int,
    encoded: str,
    now: datetime,
) -> dict[str, Any]:
    return {
        "route": route,
        "receiver": receiver,
        "channel": channel,
        "reason": reason.value,
        "group_key": group_key,
        "cycle": cycle,
        "notice": encoded,
        "status": PENDING,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }


def _digest_json(message: DigestMessage) -> str:
    return json.dumps({"digest": message.name, "payload": message.payload}, separators=(",", ":"))


def _content(encoded: str) -> Notice | DigestMessage:
    data = json.loads(encoded)
    if "digest" in data:
        return DigestMessage(str(data["digest"]), dict(data["payload"]))
    return notice_from_json(data)


def claim_deliveries(
    conn: Connection, now: datetime, lease: timedelta, limit: int
) -> list[Delivery]:
    """Lease due deliveries, oldest first; a worker that died gives them up when the lease ends."""
    return _claim(conn, _due(now).limit(limit), now, lease)


def claim_for_channels(
    conn: Connection, channels: Sequence[tuple[str, str | None]], now: datetime, lease: timedelta
) -> list[Delivery]:
    """Lease every due notice to these (receiver, channel key) pairs: a storm summary stands
    in for them all."""
    pairs = [
        and_(notifications.c.receiver == receiver, _channel_is(key)) for receiver, key in channels
    ]
    due = _due(now).where(notifications.c.reason != Reason.DIGEST.value)
    return _claim(conn, due.where(or_(*pairs)), now, lease)


def claim_ids(
    conn: Connection, ids: Sequence[int], now: datetime, lease: timedelta
) -> list[Delivery]:
    """Lease these deliveries if they are due (a digest sent by `notifier digest` at once)."""
    return _claim(conn, _due(now).where(notifications.c.id.in_(ids)), now, lease)


def _channel_is(key: str | None) -> ColumnElement[bool]:
    column = notifications.c.channel
    return column.is_(None) if key is None else column == key


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
            notifications.c.channel,
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
            row.channel,
            row.cycle,
            row.attempts,
            _content(row.notice),
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
        notifications.c.channel,
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


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored notification, as `notifier replay` queues it again."""

    receiver: str
    channel: str | None
    cycle: int
    content: Notice | DigestMessage
    route: str
    group_key: str
    id: int


def notices_by_ids(conn: Connection, ids: Sequence[int]) -> list[Stored]:
    columns = notifications.c
    query = select(
        columns.receiver,
        columns.channel,
        columns.cycle,
        columns.notice,
        columns.route,
        columns.group_key,
        columns.id,
    ).where(columns.id.in_(ids))
    return [
        Stored(
            row.receiver,
            row.channel,
            row.cycle,
            _content(row.notice),
            row.route,
            row.group_key,
            row.id,
        )
        for row in conn.execute(query.order_by(columns.id))
    ]


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


def receivers_of(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    query = select(notifications.c.id, notifications.c.receiver).where(notifications.c.id.in_(ids))
    return {row.id: row.receiver for row in conn.execute(query)}
