"""`notifier slack test`: check the token and post one message, reporting failures in words."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from sqlalchemy import create_engine

from notifier.cli.common import settings_from_env
from notifier.delivery.channel import Checked
from notifier.delivery.directory import build_channel
from notifier.delivery.explain import explain
from notifier.delivery.outcome import Sent
from notifier.delivery.transports import Transports
from notifier.errors import UserError
from notifier.rules.load import load_rules
from notifier.rules.model import ChannelConfig, SlackApiConfig, SlackWebhookConfig
from notifier.settings import Settings


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "slack", help="check the Slack setup", description="Check the Slack setup."
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    test = actions.add_parser(
        "test",
        help="check SLACK_BOT_TOKEN and post one test message",
        description=(
            "Runs auth.test with SLACK_BOT_TOKEN, then posts one test message to each Slack "
            "channel or webhook of the receiver (default: the first receiver with Slack), or to "
            "--channel."
        ),
    )
    target = test.add_mutually_exclusive_group()
    target.add_argument("--receiver", help="a receiver of the rules file with Slack channels")
    target.add_argument("--channel", help="a channel such as #alerts, or a channel id")
    test.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    name, configs = _targets(args, settings)
    checks = asyncio.run(_check(settings, name, configs))
    for checked in checks:
        if isinstance(checked.outcome, Sent):
            print(f"OK: posted a test message to {checked.where}")
        else:
            print(f"Slack test failed: {explain(checked)}")
    return 0 if all(isinstance(checked.outcome, Sent) for checked in checks) else 1


def _targets(args: argparse.Namespace, settings: Settings) -> tuple[str, list[ChannelConfig]]:
    if args.channel:
        return "--channel", [SlackApiConfig(args.channel)]
    rules = load_rules(settings.rules_file)
    slack = {name: _slack(r.channels) for name, r in rules.receivers.items() if _slack(r.channels)}
    if not slack:
        raise UserError(f"{settings.rules_file}: no Slack receiver; give --channel")
    name = args.receiver or next(iter(slack))
    if name not in slack:
        raise UserError(f"--receiver: no Slack receiver {name!r} (known: {', '.join(slack)})")
    return name, slack[name]


def _slack(configs: tuple[ChannelConfig, ...]) -> list[ChannelConfig]:
    return [c for c in configs if isinstance(c, SlackApiConfig | SlackWebhookConfig)]


async def _check(settings: Settings, name: str, configs: list[ChannelConfig]) -> list[Checked]:
    engine = create_engine("sqlite://")  # a check never paces nor keeps message refs
    transports = Transports.start(settings, engine)
    try:
        return [await build_channel(c, name, transports).check() for c in configs]
    finally:
        await transports.aclose()
        engine.dispose()
