"""`notifier worker`: process stored events without serving HTTP (scaled deployments)."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from notifier.app import Runtime
from notifier.cli.common import settings_from_env, settle_collector
from notifier.shutdown import stop_on_signals
from notifier.worker import Worker

log = logging.getLogger("notifier")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "worker",
        help="process stored events and deliver alerts (no web server)",
        description=(
            "Claim stored events, route and group them, and deliver alerts. Run as many as you "
            "like on PostgreSQL: each event is processed once. SIGTERM stops it cleanly: sends "
            "in flight end or are handed back to the other workers."
        ),
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    runtime = Runtime.start(settings_from_env())
    worker = runtime.make_worker()
    settle_collector()
    asyncio.run(_work(runtime, worker))
    return 0


async def _work(runtime: Runtime, worker: Worker) -> None:
    stop = asyncio.Event()
    stop_on_signals(stop)
    log.info("worker started; SIGTERM stops it cleanly")
    await runtime.run_background(worker, stop)
