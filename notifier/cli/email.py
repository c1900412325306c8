"""`notifier email test`: send one message through SMTP_URL, reporting failures in words."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from sqlalchemy import create_engine

from notifier.cli.common import echo, settings_from_env
from notifier.delivery.channel import Checked
from notifier.delivery.email_channel import EmailChannel
from notifier.delivery.outcome import Sent
from notifier.delivery.transports import Transports
from notifier.rules.model import EmailConfig
from notifier.settings import Settings


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "email", help="check the email setup", description="Check the email setup."
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    test = actions.add_parser(
        "test",
        help="send one test email through SMTP_URL from EMAIL_FROM",
        description="Sends one test email and reports TLS, authentication or refusal errors.",
    )
    test.add_argument("--to", required=True, metavar="ADDRESS", help="the recipient")
    test.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    checked = asyncio.run(_check(settings_from_env(), args.to))
    if isinstance(checked.outcome, Sent):
        echo(f"OK: sent a test email to {args.to} via {checked.where}")
        return 0
    via = f" via {checked.where}" if checked.where else ""  # none: SMTP_URL is unusable
    echo(f"email test failed{via}: {checked.outcome.reason}")
    return 1


async def _check(settings: Settings, to: str) -> Checked:
    engine = create_engine("sqlite://")  # a check never paces nor keeps message refs
    transports = Transports.start(settings, engine)
    try:
        return await EmailChannel(EmailConfig((to,)), "--to", transports).check()
    finally:
        engine.dispose()
