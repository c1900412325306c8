"""`notifier silence add|list|expire`: hold back alerts for a while, from the command line."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from notifier.cli.common import duration_arg, echo, open_store, settings_from_env
from notifier.cli.fields import parse_assignments
from notifier.errors import UserError
from notifier.store.engine import read_only
from notifier.store.silences import Silence, add_silence, all_silences, expire_silence


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "silence",
        help="add, list or expire silences",
        description="Silences hold back alerts for events whose fields all equal the given values.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="silence matching events for a while")
    add.add_argument("matchers", nargs="+", metavar="FIELD=VALUE", help="e.g. error_code=11200")
    add.add_argument("--for", dest="duration", default="2h", help="how long (default 2h)")
    add.add_argument("--comment", required=True, help="why (shown in silence list)")
    add.set_defaults(run=_add)
    listing = actions.add_parser("list", help="list silences")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(run=_list)
    expire = actions.add_parser("expire", help="end a silence now")
    expire.add_argument("id", type=int, help="the silence's id (from silence list)")
    expire.set_defaults(run=_expire)


def _add(args: argparse.Namespace) -> int:
    matchers = parse_assignments(args.matchers)
    now = datetime.now(UTC)
    ends = now + duration_arg(args.duration, "--for")
    engine = open_store(settings_from_env())
    with engine.begin() as conn:
        silence_id = add_silence(conn, matchers, now, ends, args.comment)
    print(f"silence {silence_id} added until {ends.isoformat(timespec='minutes')}")
    return 0


def _list(args: argparse.Namespace) -> int:
    engine = open_store(settings_from_env())
    with read_only(engine).connect() as conn:
        silences = all_silences(conn)
    now = datetime.now(UTC)
    if args.json:
        print(json.dumps([_as_json(s, now) for s in silences], indent=2))
        return 0
    for s in silences:
        state = "active " if s.starts_at <= now < s.ends_at else "expired"
        matchers = " ".join(f"{k}={v}" for k, v in s.matchers.items())
        until = s.ends_at.isoformat(timespec="minutes")
        echo(f"{s.id:>4}  {state}  until {until}  {matchers}  # {s.comment}")
    if not silences:
        print("no silences")
    return 0


def _as_json(silence: Silence, now: datetime) -> dict[str, object]:
    return {
        "id": silence.id,
        "matchers": silence.matchers,
        "starts_at": silence.starts_at.isoformat(),
        "ends_at": silence.ends_at.isoformat(),
        "active": silence.starts_at <= now < silence.ends_at,
        "comment": silence.comment,
    }


def _expire(args: argparse.Namespace) -> int:
    engine = open_store(settings_from_env())
    with engine.begin() as conn:
        if not expire_silence(conn, args.id, datetime.now(UTC)):
            raise UserError(f"no active silence with id {args.id}")
    print(f"silence {args.id} expired")
    return 0
