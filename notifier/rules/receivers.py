"""The [receivers.NAME] tables: a name and one or more channels (slack, email, console).

`slack = {...}` holds one channel; `slack = [{...}, {...}]` several of one kind. This is the one
place that reads a channel's kind from text; everything after it matches on the typed configs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from notifier.rules.model import (
    ChannelConfig,
    ConsoleConfig,
    EmailConfig,
    Receiver,
    SlackApiConfig,
    SlackWebhookConfig,
)
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
    if not any(kind in table.data for kind in KINDS):
        if not table.data:  # otherwise the unknown key is the message
            table.error(None, "needs at least one channel: slack, email or console")
        return Receiver(name)
    channels: list[ChannelConfig] = []
    for kind in KINDS:
        for entry in _entries(table, kind):
            config = _PARSE[kind](entry, _count(channels, SlackWebhookConfig) + 1)
            if config is not None:
                _add(table, kind, channels, config)
    return Receiver(name, tuple(channels))


def _entries(table: Table, kind: str) -> Iterator[Table]:
    """The tables of `kind`: one inline table, or each table of a list."""
    value = table.data.get(kind)
    if not isinstance(value, list):
        child = table.child(kind, table.label) if kind in table.data else None
        yield from [child] if child is not None else []
        return
    if not value:
        table.error(kind, f"{kind} lists no channel")
    for index, item in enumerate(value):
        if isinstance(item, dict):
            label = f"{table.label}: {kind}[{index}]"
            yield Table(table.problems, (*table.place, kind, index), item, label)
        else:
            table.error(kind, f"{kind}[{index}] must be a table such as {{ ... }}")


def _count(channels: list[ChannelConfig], kind: type) -> int:
    return sum(isinstance(channel, kind) for channel in channels)


def _add(table: Table, kind: str, channels: list[ChannelConfig], config: ChannelConfig) -> None:
    if any(channel.key == config.key for channel in channels):
        table.error(kind, f"{_describe(config)} is listed twice")
        return
    channels.append(config)


def _describe(config: ChannelConfig) -> str:
    if isinstance(config, SlackApiConfig):
        return f'slack channel "{config.channel}"'
    if isinstance(config, EmailConfig):
        return f"email to {', '.join(config.to)}"
    return "console" if isinstance(config, ConsoleConfig) else "a webhook"


def _slack(table: Table, webhook_number: int) -> ChannelConfig | None:
    table.check_keys(("channel", "webhook_url"))
    given = [key for key in ("channel", "webhook_url") if key in table.data]
    if len(given) != 1:
        if given or not table.data:  # otherwise the unknown key is the message
            table.error(None, "slack needs exactly one of channel (bot token) or webhook_url")
        return None
    value = table.string(given[0]) or ""
    if given[0] == "channel":
        if not value.strip():
            table.error("channel", "slack.channel is empty")
        return SlackApiConfig(value)
    # The URL is a secret: never echo it. An unset variable is reported once, where it is read.
    if "${" not in value and not value.startswith(("https://", "http://")):
        table.error("webhook_url", "slack.webhook_url is not an http(s) URL")
    return SlackWebhookConfig(value, webhook_number)


def _email(table: Table, _webhook_number: int) -> ChannelConfig | None:
    table.check_keys(("to", "subject_prefix"))
    table.required("to")
    to = table.strings("to") or ()
    for address in to:
        if "@" not in address:
            table.error("to", f'email.to: "{address}" is not an email address')
    if "to" in table.data and not to:
        table.error("to", "email.to lists no address")
    return EmailConfig(to, table.string("subject_prefix") or "")


def _console(table: Table, _webhook_number: int) -> ChannelConfig | None:
    table.check_keys(())
    return ConsoleConfig()


_PARSE: dict[str, Callable[[Table, int], ChannelConfig | None]] = {
    "slack": _slack,
    "email": _email,
    "console": _console,
}
