"""`notifier serve`: the web process; alone it is a complete install."""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

import uvicorn

from notifier.app import Runtime, create_app
from notifier.cli.clock import make_clock
from notifier.cli.common import settings_from_env, settle_collector
from notifier.digest.schedule import start_clock
from notifier.errors import UserError

log = logging.getLogger("notifier")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the web server (and, by default, the worker) in this process",
        description=(
            "Receive Twilio webhooks on /twilio/*. By default this process also runs the worker "
            "that routes events and delivers alerts, and the clock that sends digests, so one "
            "process is a complete install."
        ),
    )
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    parser.add_argument(
        "--port", type=int, default=None, help="port to listen on (default $PORT, else 8000)"
    )
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not process events here (a separate `notifier worker` does)",
    )
    parser.add_argument(
        "--no-clock",
        action="store_true",
        help="do not send scheduled digests here (a separate `notifier clock` does)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    if not settings.auth_tokens:
        if not settings.allow_unsigned_loopback:
            raise UserError(
                "TWILIO_AUTH_TOKEN is not set: the server cannot check Twilio's signatures. "
                "Set it (comma-separate several tokens), or for local development only set "
                "ALLOW_UNSIGNED_LOOPBACK=1."
            )
        log.warning(
            "DEVELOPMENT MODE: no TWILIO_AUTH_TOKEN; unsigned requests from loopback are "
            "accepted and everything else is refused. Never run this way in production."
        )
    runtime = Runtime.start(settings)
    app = create_app(runtime, run_worker=not args.no_worker)
    clock = None if args.no_clock else start_clock(make_clock(runtime))
    settle_collector()
    # With PUBLIC_URL the signed URL is known, and with a token nothing depends on the client's
    # address (only the loopback-only development mode does): proxy headers would be parsed for
    # nothing on every request.
    proxy_headers = settings.public_url is None or not settings.auth_tokens
    try:
        uvicorn.run(
            app,
            host=args.host,
            port=args.port or settings.port,
            proxy_headers=proxy_headers,
            forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            log_level=settings.log_level.lower(),
            access_log=settings.log_level == "DEBUG",
            server_header=False,  # no need to tell the internet which server this is
        )
    finally:
        if clock is not None:
            clock.shutdown(wait=False)
    return 0
