"""`notifier silence add|list|expire`: hold back alerts for a while, from the command line."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from notifier import actions
from notifier.actions import Actor
from notifier.cli.common import change_store, cli_actor, duration_arg, echo, read_store
from notifier.cli.fields import parse_assignments
from notifier.store.silences import Silence, all_silences

# `silence list` shows silences in force and those that ended lately; `--all`, every one.
RECENT = timedelta(days=1)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "silence",
        help="add, list or expire silences",
        description="Silences hold back alerts for events whose fields all equal the given values.",
    )
    verbs = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = verbs.add_parser("add", help="silence matching events for a while")
    add.add_argument("matchers", nargs="+", metavar="FIELD=VALUE", help="e.g. error_code=11200")
    add.add_argument("--for", dest="duration", default="2h", help="how long (default 2h)")
    add.add_argument("--comment", required=True, help="why (shown in silence list)")
    add.set_defaults(run=_add)
    listing = verbs.add_parser(
        "list", help="list silences in force and those ended in the last day"
    )
    listing.add_argument("--all", action="store_true", help="every silence, however old")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(run=_list)
    expire = verbs.add_parser("expire", help="end a silence now")
    expire.add_argument("id", type=int, help="the silence's id (from silence list)")
    expire.set_defaults(run=_expire)


def _add(args: argparse.Namespace) -> int:
    matchers = parse_assignments(args.matchers)
    now = datetime.now(UTC)
    ends = now + duration_arg(args.duration, "--for")
    silence_id = change_store(
        lambda conn: actions.silence(
            conn, cli_actor(), matchers, ends_at=ends, comment=args.comment, now=now
        )
    )
    print(f"silence {silence_id} added until {ends.isoformat(timespec='minutes')}")
    return 0


def _list(args: argparse.Namespace) -> int:
    silences = read_store(all_silences)
    now = datetime.now(UTC)
    if not args.all:
        silences = [s for s in silences if s.ends_at > now - RECENT]
    if args.json:
        print(json.dumps([_as_json(s, now) for s in silences], indent=2))
        return 0
    for s in silences:
        echo(_line(s, now))
    if not silences:
        print("no silences")
    return 0


def _line(silence: Silence, now: datetime) -> str:
    state = "active " if _active(silence, now) else "expired"
    until = silence.ends_at.isoformat(timespec="minutes")
    parts = [f"{silence.id:>4}", state, f"until {until}"]
    if silence.origin is not None and silence.created_by is not None:
        parts.append(Actor(silence.origin, silence.created_by).describe())
    if silence.route is not None:
        parts.append(f"on route {silence.route}")
    parts.append(" ".join(f"{k}={v}" for k, v in silence.matchers.items()))
    return "  ".join(part for part in parts if part) + f"  # {silence.comment}"


def _active(silence: Silence, now: datetime) -> bool:
    return silence.starts_at <= now < silence.ends_at


def _as_json(silence: Silence, now: datetime) -> dict[str, object]:
    return {
        "id": silence.id,
        "matchers": silence.matchers,
        "route": silence.route,
        "starts_at": silence.starts_at.isoformat(),
        "ends_at": silence.ends_at.isoformat(),
        "active": _active(silence, now),
        "comment": silence.comment,
        "created_by": silence.created_by,
        "origin": None if silence.origin is None else silence.origin.value,
    }


def _expire(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    change_store(lambda conn: actions.expire_silence(conn, cli_actor(), args.id, now=now))
    print(f"silence {args.id} expired")
    return 0
