"""The [receivers.NAME] tables: each names exactly one of slack, email or console."""

from __future__ import annotations

from typing import Any

from notifier.rules.model import Receiver
from notifier.rules.reader import Table

KINDS = ("slack", "email", "console")


def parse_receivers(root: Table) -> dict[str, Receiver]:
    """Every receiver by name; a receiver with mistakes is still listed so routes may name it."""
    table = root.child("receivers", "receivers")
    if table is None:
        return {}
    receivers = {}
    for name in table.data:
        receiver = table.child(name, f'receiver "{name}"')
        if receiver is not None:
            receivers[name] = _parse_receiver(name, receiver)
    return receivers


def _parse_receiver(name: str, table: Table) -> Receiver:
    table.check_keys(KINDS)
    kinds = [kind for kind in KINDS if kind in table.data]
    if len(kinds) != 1:
        if kinds or not table.data:  # otherwise the unknown key is the message
            table.error(None, f"needs exactly one of slack, email or console, not {len(kinds)}")
        return Receiver(name=name, kind=kinds[0] if kinds else "console")
    config = table.child(kinds[0], table.label)
    parse = {"slack": _slack, "email": _email, "console": _console}[kinds[0]]
    return Receiver(name=name, kind=kinds[0], config=parse(config) if config else {})


def _slack(table: Table) -> dict[str, Any]:
    table.check_keys(("channel", "webhook_url"))
    given = [key for key in ("channel", "webhook_url") if key in table.data]
    if len(given) != 1:
        if given or not table.data:  # otherwise the unknown key is the message
            table.error(None, "slack needs exactly one of channel (bot token) or webhook_url")
        return {}
    value = table.string(given[0]) or ""
    # The URL is a secret: never echo it.
    filled_in = "${" not in value  # an unset variable is reported once, where it is read
    if given[0] == "webhook_url" and filled_in and not value.startswith(("https://", "http://")):
        table.error("webhook_url", "slack.webhook_url is not an http(s) URL")
    if given[0] == "channel" and not value.strip():
        table.error("channel", "slack.channel is empty")
    return {given[0]: value}


def _email(table: Table) -> dict[str, Any]:
    table.check_keys(("to", "subject_prefix"))
    table.required("to")
    to = table.strings("to") or ()
    for address in to:
        if "@" not in address:
            table.error("to", f'email.to: "{address}" is not an email address')
    if "to" in table.data and not to:
        table.error("to", "email.to lists no address")
    return {"to": list(to), "subject_prefix": table.string("subject_prefix") or ""}


def _console(table: Table) -> dict[str, Any]:
    table.check_keys(())
    return {}
