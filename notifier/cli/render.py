"""`notifier render`: what a receiver would get for an event, printed and never sent."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from notifier.cli.common import settings_from_env
from notifier.enrich import enrich
from notifier.errors import UserError
from notifier.events import Event
from notifier.ingest.sample_file import event_from_file
from notifier.notices import Notice, Reason
from notifier.receivers import render_context
from notifier.render.console import render_console
from notifier.render.context import RenderContext
from notifier.render.email import build_message, render_email
from notifier.render.slack import render_slack
from notifier.rules.load import load_rules
from notifier.rules.model import Receiver, Rules
from notifier.settings import Settings
from notifier.twilio.catalog import Catalog, load_initial

ROUTE = "render"
PLACEHOLDER_FROM = "notifier@localhost"


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
    ctx = render_context(rules)
    if args.receiver is None:
        names = ("(slack)", "(email)", "(console)")
        for title, receiver in zip(names, _sample_receivers(), strict=True):
            print(f"===== {title} =====")
            print(_render(receiver, make_notice(event, receiver.name), ctx, args, settings))
        return 0
    receiver = _receiver(rules, args.receiver)
    print(_render(receiver, make_notice(event, receiver.name), ctx, args, settings))
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


def _receiver(rules: Rules, name: str) -> Receiver:
    receiver = rules.receivers.get(name)
    if receiver is None:
        known = ", ".join(sorted(rules.receivers)) or "none"
        raise UserError(f"--receiver: no receiver {name!r} in the rules (known: {known})")
    return receiver


def _sample_receivers() -> tuple[Receiver, ...]:
    return (Receiver("slack", "slack"), Receiver("email", "email"), Receiver("console", "console"))


def _render(
    receiver: Receiver,
    notice: Notice,
    ctx: RenderContext,
    args: argparse.Namespace,
    settings: Settings,
) -> str:
    if receiver.kind == "slack":
        # ASCII JSON: exact for Block Kit Builder, and no DEL, C1 or bidi control from Twilio's
        # text reaches the terminal raw (json.dumps escapes only C0 otherwise).
        return json.dumps(render_slack(notice, ctx), indent=2)
    if receiver.kind == "email":
        return _email_text(receiver, notice, ctx, settings.email_from, html=args.html)
    return render_console(notice, ctx).rstrip("\n")


def _email_text(
    receiver: Receiver, notice: Notice, ctx: RenderContext, sender: str | None, *, html: bool
) -> str:
    prefix = str(receiver.config.get("subject_prefix") or "")
    rendered = render_email(notice, ctx, prefix)
    to = [str(address) for address in receiver.config.get("to") or []]
    message = build_message(rendered, sender or PLACEHOLDER_FROM, to)
    headers = [f"{name}: {value}" for name, value in message.items() if name != "Content-Type"]
    parts = ["\n".join(headers), "", rendered.text.rstrip("\n")]
    if html:
        parts += ["", "--- HTML part ---", rendered.html.rstrip("\n")]
    return "\n".join(parts)
