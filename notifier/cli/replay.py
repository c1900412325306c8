"""`notifier replay ID|--failed`: send stored notifications again, marked as a replay."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from notifier.cli.common import open_store, settings_from_env
from notifier.errors import UserError
from notifier.notices import Reason
from notifier.store.outbox import (
    DigestMessage,
    Stored,
    enqueue,
    enqueue_digest,
    failed_ids,
    mark_replayed,
    notices_by_ids,
)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="send notifications again (one by id, or every failed one)",
        description="Queue stored notifications again, marked 'replay'; a worker sends them.",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("id", nargs="?", type=int, help="a notification id (see notifications)")
    target.add_argument("--failed", action="store_true", help="every failed notification")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    engine = open_store(settings_from_env())
    try:
        with engine.begin() as conn:
            count = _replay(conn, args)
    finally:
        engine.dispose()
    print(f"queued {count} notification(s) for replay")
    return 0


def _replay(conn: Connection, args: argparse.Namespace) -> int:
    ids = failed_ids(conn) if args.failed else [args.id]
    found = notices_by_ids(conn, ids)
    if not found and not args.failed:
        raise UserError(f"no notification with id {args.id}")
    now = datetime.now(UTC)
    for stored in found:
        _enqueue_again(conn, stored, now)
    mark_replayed(conn, ids)
    return len(found)


def _enqueue_again(conn: Connection, stored: Stored, now: datetime) -> None:
    """To the same channel of the same receiver; a digest again as it was rendered."""
    content = stored.content
    if isinstance(content, DigestMessage):
        row = (stored.receiver, stored.channel or "", content)
        enqueue_digest(conn, stored.route, stored.group_key, [row], now)
        return
    replay = dataclasses.replace(content, reason=Reason.REPLAY, receivers=(stored.receiver,))
    enqueue(conn, replay, stored.cycle, now, channel=stored.channel)
