"""`notifier doctor [--json] [--send-test]`: check this deployment's configuration and say,
in words, what to fix; exit 0 only when everything needed works."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from notifier.cli.common import echo, settings_from_env
from notifier.doctor.checks import diagnose
from notifier.doctor.report import Finding, as_json, as_text, healthy, problem
from notifier.errors import UserError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check this deployment's configuration and say what to fix",
        description=(
            "Checks the Twilio auth token(s), PUBLIC_URL, the store and its schema version, "
            "the rules, each Slack channel (token, scopes, the bot's membership), SMTP (TLS and "
            "login, no mail sent) and the error catalog. Exit 0 only when everything needed works."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--send-test",
        action="store_true",
        help="also send one test message to each receiver's Slack channel or email",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    findings = _findings(args.send_test)
    if args.json:
        print(as_json(findings))
    else:
        for line in as_text(findings):
            echo(line)
    return 0 if healthy(findings) else 1


def _findings(send_test: bool) -> list[Finding]:
    try:
        settings = settings_from_env()
    except UserError as error:  # a malformed variable: nothing else can be judged
        return [problem("environment", str(error), "correct the variable it names")]
    return asyncio.run(diagnose(settings, send_test))
