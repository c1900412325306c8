"""`notifier digest NAME [--dry-run]`: build the digest of the current period now."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from notifier.app import Runtime
from notifier.channels.result import Sent
from notifier.cli.common import settings_from_env
from notifier.digest.build import build_report
from notifier.digest.deliver import DigestSender
from notifier.digest.render import render_text
from notifier.digest.schedule import digest_trigger, period_for
from notifier.errors import UserError
from notifier.events import utcnow
from notifier.receivers import render_context
from notifier.render.escape import terminal
from notifier.rules.model import Digest, Rules
from notifier.store.engine import read_only


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "digest",
        help="build a digest now (and send it unless --dry-run)",
        description=(
            "Build the digest NAME of rules.toml for the period up to now and send it to its "
            "receivers. A manual run does not count as the scheduled one."
        ),
    )
    parser.add_argument("name", metavar="NAME", help="the digest's name in rules.toml")
    parser.add_argument("--dry-run", action="store_true", help="print it instead of sending it")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    runtime = Runtime.start(settings_from_env(), fetch_catalog=False)
    rules = runtime.rules.rules
    digest = find_digest(rules, args.name)
    now = utcnow()
    start, end = period_for(digest, digest_trigger(digest, rules), now)
    try:
        with read_only(runtime.engine).connect() as conn:
            report = build_report(conn, digest, start, end, runtime.catalog)
    except ValueError as error:
        raise UserError(f'digest "{digest.name}": {error}') from None
    if args.dry_run:
        print(terminal(render_text(report, render_context(rules)), keep_newlines=True), end="")
        return 0
    outcomes = DigestSender(runtime.settings, runtime.engine)(report, digest, rules)
    failed = {name: outcome for name, outcome in outcomes.items() if not isinstance(outcome, Sent)}
    for name, outcome in failed.items():
        reason = terminal(outcome.reason)
        print(f'digest {digest.name}: not sent to "{name}": {reason}', file=sys.stderr)
    return 1 if failed else 0


def find_digest(rules: Rules, name: str) -> Digest:
    for digest in rules.digests:
        if digest.name == name:
            return digest
    known = ", ".join(d.name for d in rules.digests) or "none are defined"
    raise UserError(f'no digest named "{name}" in the rules (digests: {known})')
