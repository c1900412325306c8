"""`notifier events`: the stored events, newest first, as a table or JSON."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from notifier.app import Runtime
from notifier.cli.common import duration_arg, echo, settings_from_env
from notifier.enrich import enrich
from notifier.store.engine import read_only
from notifier.store.events import StoredEvent, list_events


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "events",
        help="list stored events",
        description="List the events the bot has stored, newest first.",
    )
    parser.add_argument("--since", default="24h", help="how far back to look (default 24h)")
    parser.add_argument("--limit", type=int, default=1000, help="at most this many (default 1000)")
    parser.add_argument("--json", action="store_true", help="print one JSON array")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    since = datetime.now(UTC) - duration_arg(args.since, "--since")
    runtime = Runtime.start(settings_from_env(), fetch_catalog=False)
    with read_only(runtime.engine).connect() as conn:
        stored = list_events(conn, since, args.limit)
    accounts = runtime.rules.rules.settings.accounts
    rows = [_row(item, runtime, accounts) for item in stored]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        _print_table(rows)
    return 0


def _row(stored: StoredEvent, runtime: Runtime, accounts: dict[str, str]) -> dict[str, Any]:
    event = enrich(stored.event, runtime.catalog, accounts)
    received = stored.received_at.isoformat().replace("+00:00", "Z")
    return {"id": stored.id, "received_at": received, **event.to_json()}


def _print_table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("no events in that period")
        return
    for row in rows:
        echo(
            f"{row['id']:>7}  {row['received_at'][:19]}  {row['source']:<13} {row['level']:<7} "
            f"{row['error_code'] or '-':<6} {row['account_name'] or row['account_sid'] or '-'}  "
            f"{(row['message'] or '')[:80]}"
        )
