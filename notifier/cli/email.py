"""`notifier email test`: send one message through SMTP_URL, reporting failures in words."""

from __future__ import annotations

import argparse
import asyncio
from email.message import EmailMessage
from typing import Any

from notifier.channels.email import SmtpConfig, send_email
from notifier.channels.email_delivery import smtp_config
from notifier.channels.result import Sent
from notifier.cli.common import echo, settings_from_env
from notifier.render.escape import header

SUBJECT = "twilio-alert-notifier test message"


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
    settings = settings_from_env()
    config = smtp_config(settings.smtp_url, settings.email_from)
    if not isinstance(config, SmtpConfig):
        echo(f"email test failed: {config.reason}")
        return 1
    message = test_message(settings.email_from or "", args.to)
    outcome = asyncio.run(send_email(config, message))
    where = f"{config.host}:{config.port} ({_security(config)})"
    if isinstance(outcome, Sent):
        echo(f"OK: sent a test email to {args.to} via {where}")
        return 0
    echo(f"email test failed via {where}: {outcome.reason}")
    return 1


def test_message(sender: str, to: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = header(sender)
    message["To"] = header(to)
    message.set_content("Email delivery from twilio-alert-notifier works.\n")
    return message


def _security(config: SmtpConfig) -> str:
    if config.implicit_tls:
        return "implicit TLS"
    if config.plain:
        return "no TLS: tls=off"
    if config.start_tls:
        return "STARTTLS required"
    return "STARTTLS when offered, loopback"
