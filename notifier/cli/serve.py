"""`notifier serve`: the web process; alone it is a complete install."""

from __future__ import annotations

import argparse
import logging
from typing import Any

import uvicorn

from notifier.addresses import is_loopback
from notifier.app import Runtime, create_app
from notifier.cli.clock import make_clock
from notifier.cli.common import settings_from_env, settle_collector
from notifier.digest.schedule import start_clock
from notifier.errors import UserError
from notifier.ingest.connections import ConnectionLimits, guarded_protocol
from notifier.settings import Settings
from notifier.shutdown import REQUESTS_SECONDS, sigterm_exits_cleanly

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
        _check_development_mode(settings, args.host)
        log.warning(
            "DEVELOPMENT MODE: no TWILIO_AUTH_TOKEN; unsigned requests from loopback are "
            "accepted and everything else is refused. Never run this way in production."
        )
    runtime = Runtime.start(settings)
    app = create_app(runtime, run_worker=not args.no_worker)
    clock = None if args.no_clock else start_clock(make_clock(runtime))
    settle_collector()
    # Proxy headers only serve to rebuild the URL Twilio signed when PUBLIC_URL does not say it.
    # Without a token they stay off: development mode judges the TCP peer, which an
    # X-Forwarded-For would otherwise replace.
    proxy_headers = bool(settings.auth_tokens) and settings.public_url is None
    limits = ConnectionLimits(settings.max_connections, settings.read_timeout)
    try:
        with sigterm_exits_cleanly():
            uvicorn.run(
                app,
                host=args.host,
                port=args.port or settings.port,
                http=guarded_protocol(limits),
                proxy_headers=proxy_headers,
                forwarded_allow_ips=settings.forwarded_allow_ips or "127.0.0.1",
                log_config=None,  # uvicorn's loggers go through ours (LOG_FORMAT)
                log_level=settings.log_level.lower(),
                access_log=settings.log_level == "DEBUG",
                server_header=False,  # no need to tell the internet which server this is
                timeout_graceful_shutdown=REQUESTS_SECONDS,
            )
    finally:
        if clock is not None:
            # A digest being queued is one short transaction: let it commit.
            clock.shutdown(wait=True)
    return 0


def _check_development_mode(settings: Settings, host: str) -> None:
    """Without a token only ALLOW_UNSIGNED_LOOPBACK, on a loopback address and trusting no
    proxy, lets the server start."""
    if not settings.allow_unsigned_loopback:
        raise UserError(
            "TWILIO_AUTH_TOKEN is not set: the server cannot check Twilio's signatures. "
            "Set it (comma-separate several tokens), or for local development only set "
            "ALLOW_UNSIGNED_LOOPBACK=1."
        )
    if settings.forwarded_allow_ips is not None:
        raise UserError(
            "ALLOW_UNSIGNED_LOOPBACK=1 trusts the TCP peer's address alone, so it cannot run "
            f"with FORWARDED_ALLOW_IPS={settings.forwarded_allow_ips!r} (proxy headers could "
            "claim to be this machine): unset FORWARDED_ALLOW_IPS, or set TWILIO_AUTH_TOKEN."
        )
    if not is_loopback(host):
        raise UserError(
            f"ALLOW_UNSIGNED_LOOPBACK=1 listens on this machine only, not on --host {host}: "
            "start with --host 127.0.0.1, or set TWILIO_AUTH_TOKEN."
        )
