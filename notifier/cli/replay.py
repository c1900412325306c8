"""`notifier replay ID|--failed`: send stored notifications again, marked as a replay."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import Connection

from notifier import actions
from notifier.cli.common import change_store, cli_actor
from notifier.store.outbox import failed_ids


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
    count = change_store(partial(_replay, args))
    print(f"queued {count} notification(s) for replay")
    return 0


def _replay(args: argparse.Namespace, conn: Connection) -> int:
    ids = failed_ids(conn) if args.failed else [args.id]
    return actions.replay(conn, cli_actor(), ids, now=datetime.now(UTC))
