"""`notifier digest NAME [--dry-run]`: build the digest of the current period now."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from notifier.app import Runtime
from notifier.cli.common import settings_from_env
from notifier.delivery import Deliverer
from notifier.delivery.directory import Directory, render_context
from notifier.delivery.outcome import Sent
from notifier.delivery.transports import Transports
from notifier.digest.build import DigestReport, build_report
from notifier.digest.deliver import DigestQueue
from notifier.digest.render import render_text
from notifier.digest.schedule import digest_trigger, period_for
from notifier.errors import UserError
from notifier.events import utcnow
from notifier.render.escape import terminal
from notifier.rules.model import Digest, Rules
from notifier.store.engine import read_only
from notifier.store.outbox import receivers_of


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
    return send_now(runtime, report, digest)


def send_now(runtime: Runtime, report: DigestReport, digest: Digest) -> int:
    """Queues the digest and sends it at once through the deliverer; what is not sent now is
    said on stderr (a retry stays queued for a worker)."""
    rules = runtime.rules.rules
    transports = Transports.start(runtime.settings, runtime.engine)
    ids = DigestQueue(runtime.engine, transports)(report, digest, rules)
    deliverer = Deliverer(runtime.engine, Directory(rules, transports), utcnow)

    async def send() -> dict[int, Any]:
        try:
            return await deliverer.send_now(ids)
        finally:
            await transports.aclose()

    results = asyncio.run(send())
    with read_only(runtime.engine).connect() as conn:
        receivers = receivers_of(conn, ids)
    failed = {id_: outcome for id_, outcome in results.items() if not isinstance(outcome, Sent)}
    for id_, outcome in failed.items():
        reason = terminal(outcome.reason)
        print(f'digest {digest.name}: not sent to "{receivers[id_]}": {reason}', file=sys.stderr)
    return 1 if failed else 0


def find_digest(rules: Rules, name: str) -> Digest:
    for digest in rules.digests:
        if digest.name == name:
            return digest
    known = ", ".join(d.name for d in rules.digests) or "none are defined"
    raise UserError(f'no digest named "{name}" in the rules (digests: {known})')
