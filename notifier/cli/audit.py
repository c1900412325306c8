"""`notifier audit`: who silenced, expired, acknowledged or replayed what, when and from where."""

from __future__ import annotations

import argparse
import json
from typing import Any

from notifier import actions
from notifier.actions import AuditEntry
from notifier.cli.common import echo, read_store


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="list the actions taken on alerts, newest first",
        description="Every silence, expiry, acknowledgement and replay, from Slack, the web "
        "console or the command line: who, what, when and from where.",
    )
    parser.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    parser.add_argument("--json", action="store_true", help="print one JSON array")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    entries = read_store(lambda conn: actions.audit_entries(conn, limit=args.limit))
    if args.json:
        print(json.dumps([_as_json(entry) for entry in entries], indent=2))
        return 0
    for entry in entries:
        echo(_line(entry))
    if not entries:
        print("no actions recorded")
    return 0


def _line(entry: AuditEntry) -> str:
    at = entry.at.isoformat(timespec="seconds")
    who = f"{entry.origin.value}:{entry.who}"
    return f"{entry.id:>5}  {at}  {who}  {entry.action.value} {entry.target}  ({entry.detail})"


def _as_json(entry: AuditEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "origin": entry.origin.value,
        "who": entry.who,
        "action": entry.action.value,
        "target": entry.target,
        "detail": entry.detail,
    }
