"""`notifier render`: what a receiver would get for an event, printed and never sent."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from notifier.cli.common import settings_from_env
from notifier.delivery.directory import build_channel, render_context
from notifier.delivery.transports import Transports
from notifier.enrich import enrich
from notifier.errors import UserError
from notifier.events import Event
from notifier.ingest.sample_file import event_from_file
from notifier.notices import Notice, Reason
from notifier.rules.load import load_rules
from notifier.rules.model import ChannelConfig, ConsoleConfig, EmailConfig, Rules, SlackApiConfig
from notifier.twilio.catalog import Catalog, load_initial

ROUTE = "render"
# Without --receiver: one of each form (the addresses and channel are placeholders).
SAMPLES: dict[str, ChannelConfig] = {
    "(slack)": SlackApiConfig("#alerts"),
    "(email)": EmailConfig(()),
    "(console)": ConsoleConfig(),
}


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "render",
        help="print the Slack blocks, email and console text a receiver would get, sending nothing",
        description=(
            "Render an event (a webhook body file or `notifier events --json` entry) as a first "
            "notice. Without --receiver, prints the Slack, email and console forms."
        ),
    )
    parser.add_argument("--event", required=True, help="a file with a webhook body or event JSON")
    parser.add_argument("--receiver", help="a receiver of the rules file (its kind decides)")
    parser.add_argument("--html", action="store_true", help="also print the email's HTML part")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    rules = load_rules(settings.rules_file)
    catalog = Catalog(load_initial(settings.error_codes_file))
    event = enrich(event_from_file(Path(args.event)), catalog, rules.settings.accounts)
    ctx = render_context(rules, catalog)
    name = args.receiver or ROUTE
    configs = SAMPLES if args.receiver is None else _configs(rules, args.receiver)
    transports = Transports.start(settings, create_engine("sqlite://"))  # nothing is sent
    for title, config in configs.items():
        channel = build_channel(config, name, transports)
        if len(configs) > 1:
            print(f"===== {title} =====")
        print(channel.show(channel.render(make_notice(event, name), ctx), html=args.html))
    return 0


def make_notice(event: Event, receiver: str) -> Notice:
    """A group's first notice with this event alone, as the pipeline would build it."""
    return Notice(
        route=ROUTE,
        group_key=f"{ROUTE}|{event.error_code or event.source}",
        reason=Reason.FIRST,
        event=event,
        count=1,
        first_seen=event.time,
        last_seen=event.time,
        receivers=(receiver,),
    )


def _configs(rules: Rules, name: str) -> dict[str, ChannelConfig]:
    receiver = rules.receivers.get(name)
    if receiver is None:
        known = ", ".join(sorted(rules.receivers)) or "none"
        raise UserError(f"--receiver: no receiver {name!r} in the rules (known: {known})")
    return {f"{name}: {config.key}": config for config in receiver.channels}
