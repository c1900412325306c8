"""Queueing a built digest in the outbox, rendered for each channel of its receivers.

From there the worker's deliverer sends it like any alert: the same timeouts, retries, pacing,
and rows in the notification history (reason "digest"). The clock claims each (digest, period)
once, in its own committed transaction, before it builds and queues it. A crash after the
claim and before the rows are committed loses that period's digest (it is never sent twice);
once queued, a crash mid-send is retried like any delivery: the Slack Web API first looks for
the earlier try in the channel's history, email keeps one Message-ID per digest and period,
and a webhook may post it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from notifier.delivery.directory import Directory
from notifier.delivery.transports import Transports
from notifier.digest.build import DigestReport
from notifier.events import utcnow
from notifier.rules.model import Digest, Rules
from notifier.store.outbox import DigestMessage, enqueue_digest

log = logging.getLogger(__name__)

Row = tuple[str, str, DigestMessage]


def digest_rows(report: DigestReport, digest: Digest, directory: Directory) -> list[Row]:
    """(receiver, channel key, message) for every channel of the digest's receivers: pure."""
    rows: list[Row] = []
    for name in digest.receivers:
        receiver = directory(name)
        if receiver is None:
            log.warning('digest %s: unknown receiver "%s"', digest.name, name)
            continue
        for key, channel in receiver.channels.items():
            payload = channel.render_digest(report, receiver.ctx)
            rows.append((name, key, DigestMessage(digest.name, payload)))
    return rows


class DigestQueue:
    """The clock's `send`: queues a digest and returns its outbox ids."""

    def __init__(
        self, engine: Engine, transports: Transports, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.engine = engine
        self.transports = transports
        self.clock = clock

    def __call__(self, report: DigestReport, digest: Digest, rules: Rules) -> list[int]:
        rows = digest_rows(report, digest, Directory(rules, self.transports))
        group_key = f"digest|{digest.name}|{report.start.isoformat()}"
        with self.engine.begin() as conn:
            ids = enqueue_digest(conn, f"digest:{digest.name}", group_key, rows, self.clock())
        log.info("digest %s: queued for %d channel(s)", digest.name, len(ids))
        return ids
