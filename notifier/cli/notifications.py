"""`notifier notifications`: the outbox history, or only what failed."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from notifier.cli.common import echo, read_store
from notifier.store.outbox import list_notifications


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "notifications",
        help="list sent, pending and failed notifications",
        description="List notifications, newest first (replay failed ones with `notifier replay`).",
    )
    parser.add_argument("--failed", action="store_true", help="only those that failed")
    parser.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    parser.add_argument("--json", action="store_true", help="print one JSON array")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    listed = read_store(
        lambda conn: list_notifications(conn, failed_only=args.failed, limit=args.limit)
    )
    rows: list[dict[str, Any]] = [{k: _plain(v) for k, v in row.items()} for row in listed]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        error = f"  ({row['last_error']})" if row["last_error"] else ""
        channel = f" ({row['channel']})" if row["channel"] else ""
        echo(
            f"{row['id']:>6}  {row['created_at'][:19]}  {row['status']:<7} {row['reason']:<12} "
            f"{row['route']} -> {row['receiver']}{channel}  attempts={row['attempts']}{error}"
        )
    if not rows:
        print("no notifications")
    return 0


def _plain(value: object) -> object:
    return value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else value
