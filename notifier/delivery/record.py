"""What an outcome does to its deliveries' rows: sent, folded, deferred, retried or failed."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from sqlalchemy import Connection

from notifier.delivery.log_ids import log_ids
from notifier.delivery.outcome import Deferred, Failed, Paced, Retry, Sent
from notifier.store.outbox import (
    Delivery,
    DeliveryStatus,
    mark_deferred,
    mark_failed,
    mark_folded,
    mark_retry,
    mark_sent,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 30
BACKOFF_BASE = 2.0
BACKOFF_CAP = 600.0


def backoff(attempts: int) -> float:
    """Seconds before the next try: exponential, capped, with ±20% jitter against herds."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** max(0, attempts - 1))
    return delay * random.uniform(0.8, 1.2)


def next_step(delivery: Delivery, outcome: Paced) -> Paced:
    """A retry past the last attempt becomes a failure, so nothing stays pending forever."""
    if isinstance(outcome, Retry) and delivery.attempts >= MAX_ATTEMPTS:
        reason = f"gave up after {delivery.attempts} attempts: {outcome.reason}"
        return Failed(reason, outcome.code)
    return outcome


def status_of(step: Paced, *, folded: bool) -> DeliveryStatus:
    if isinstance(step, Sent):
        return DeliveryStatus.FOLDED if folded else DeliveryStatus.SENT
    if isinstance(step, Deferred):
        return DeliveryStatus.DEFERRED
    return DeliveryStatus.RETRY if isinstance(step, Retry) else DeliveryStatus.FAILED


def steps(
    deliveries: list[Delivery], outcome: Paced, *, folded: bool
) -> dict[tuple[DeliveryStatus, Paced], list[Delivery]]:
    """The deliveries of a job by what happens to them next, and the status the metrics count."""
    grouped: dict[tuple[DeliveryStatus, Paced], list[Delivery]] = {}
    for delivery in deliveries:
        step = next_step(delivery, outcome)
        grouped.setdefault((status_of(step, folded=folded), step), []).append(delivery)
    return grouped


def store(
    conn: Connection, batch: list[Delivery], step: Paced, now: datetime, status: DeliveryStatus
) -> None:
    """Stores what happened to deliveries that share one outcome (one, or a folded storm)."""
    ids = [delivery.id for delivery in batch]
    if status is DeliveryStatus.FOLDED:
        mark_folded(conn, ids, now)
    elif isinstance(step, Sent):
        mark_sent(conn, ids, now)
    elif isinstance(step, Deferred):
        mark_deferred(conn, ids, now + timedelta(seconds=step.after_seconds))
    elif isinstance(step, Retry):
        attempts = max(delivery.attempts for delivery in batch)
        wait = step.after_seconds if step.after_seconds is not None else backoff(attempts)
        mark_retry(conn, ids, now + timedelta(seconds=wait), step.reason, unknown=step.unknown)
    else:
        _failed(conn, batch, step.reason)


def _failed(conn: Connection, batch: list[Delivery], reason: str) -> None:
    ids = [delivery.id for delivery in batch]
    receivers = sorted({delivery.receiver for delivery in batch})
    which = str(ids[0]) if len(ids) == 1 else f"{ids[0]}..{ids[-1]} ({len(ids)})"
    log.warning("delivery %s to %s failed: %s", which, receivers, reason, extra=log_ids(batch))
    mark_failed(conn, ids, reason)
