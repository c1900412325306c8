"""`notifier clock`: the digest clock alone, for a scaled deployment's `clock` role."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from notifier.app import Runtime
from notifier.cli.common import settings_from_env
from notifier.delivery.transports import Transports
from notifier.digest.deliver import DigestQueue
from notifier.digest.schedule import DigestClock, start_clock

log = logging.getLogger("notifier")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "clock",
        help="run the digest scheduler alone",
        description=(
            "Queue each [[digests]] entry in the outbox on its schedule, exactly once per period "
            "even when several clocks run; workers send it. Then start `serve` with its clock off."
        ),
    )
    parser.set_defaults(run=run)


def make_clock(runtime: Runtime) -> DigestClock:
    # Queued in the outbox: the workers (or serve's own) deliver it.
    send = DigestQueue(runtime.engine, Transports.start(runtime.settings, runtime.engine))
    return DigestClock(runtime.engine, runtime.current_rules, runtime.catalog, send)


def run(args: argparse.Namespace) -> int:
    runtime = Runtime.start(settings_from_env(), fetch_catalog=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    scheduler = start_clock(make_clock(runtime))
    log.info("clock started; SIGTERM stops it cleanly")
    try:
        stop.wait()
    finally:
        # Claims no new period; a digest being queued (one short transaction, bounded by
        # DATABASE_STATEMENT_TIMEOUT on PostgreSQL) commits before the process exits.
        scheduler.shutdown(wait=True)
    return 0
