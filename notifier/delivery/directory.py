"""Every receiver's channels, built once per rules load: the one table from a channel's
configuration type to its implementation, and the lanes channels share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from notifier.delivery.channel import Channel
from notifier.delivery.console_channel import ConsoleChannel
from notifier.delivery.email_channel import EmailChannel
from notifier.delivery.slack_api_channel import SlackApiChannel
from notifier.delivery.slack_webhook_channel import SlackWebhookChannel
from notifier.delivery.transports import Transports
from notifier.render.context import RenderContext
from notifier.rules.model import (
    ChannelConfig,
    ConsoleConfig,
    EmailConfig,
    Receiver,
    Rules,
    SlackApiConfig,
    SlackWebhookConfig,
)
from notifier.twilio.catalog import Catalog

AnyChannel = Channel[Any]
# (receiver, channel key): one channel of one receiver, as the outbox names it; a key of None
# is the receiver's first channel (rows stored before receivers had several).
Target = tuple[str, str | None]

KINDS: dict[type, Callable[[Any, str, Transports], AnyChannel]] = {
    SlackApiConfig: SlackApiChannel,
    SlackWebhookConfig: SlackWebhookChannel,
    EmailConfig: EmailChannel,
    ConsoleConfig: ConsoleChannel,
}


def build_channel(config: ChannelConfig, receiver: str, transports: Transports) -> AnyChannel:
    return KINDS[type(config)](config, receiver, transports)


def render_context(rules: Rules, catalog: Catalog | None = None) -> RenderContext:
    """What renderers need beyond the notice; `catalog`: the process's (TWILIO_ERROR_CODES_FILE
    or a refreshed copy), else the bundled one."""
    intervals = {route.name: route.timing.group_interval for route in rules.routes}
    ctx = RenderContext(
        ZoneInfo(rules.settings.timezone), dict(rules.settings.accounts), group_intervals=intervals
    )
    return ctx if catalog is None else replace(ctx, catalog=catalog)


@dataclass(frozen=True)
class ReceiverChannels:
    """One receiver's channels by key, what they render with, and who shares their lanes."""

    name: str
    channels: Mapping[str, AnyChannel]
    ctx: RenderContext
    lanes: Mapping[str, tuple[Target, ...]]

    def get(self, key: str | None) -> AnyChannel | None:
        """The channel `key`; None: the first (rows stored before receivers had several)."""
        if key is None:
            return next(iter(self.channels.values()), None)
        return self.channels.get(key)


class Directory:
    """`directory(name)`: the receiver's channels, or None when the rules have no such receiver."""

    def __init__(
        self, rules: Rules, transports: Transports, catalog: Catalog | None = None
    ) -> None:
        self.rules = rules
        ctx = render_context(rules, catalog)
        ctx = replace(ctx, interactive=transports.settings.slack_signing_secret is not None)
        built = {name: _build(receiver, transports) for name, receiver in rules.receivers.items()}
        lanes = _lanes(built)
        self._receivers = {
            name: ReceiverChannels(name, channels, ctx, lanes) for name, channels in built.items()
        }

    def __call__(self, name: str) -> ReceiverChannels | None:
        return self._receivers.get(name)


def _build(receiver: Receiver, transports: Transports) -> dict[str, AnyChannel]:
    return {c.key: build_channel(c, receiver.name, transports) for c in receiver.channels}


def _lanes(built: Mapping[str, Mapping[str, AnyChannel]]) -> dict[str, tuple[Target, ...]]:
    lanes: dict[str, list[Target]] = {}
    for name, channels in built.items():
        for index, (key, channel) in enumerate(channels.items()):
            if channel.lane is not None:
                lane = lanes.setdefault(channel.lane, [])
                lane.extend([(name, key), (name, None)] if index == 0 else [(name, key)])
    return {lane: tuple(targets) for lane, targets in lanes.items()}


class LiveDirectory:
    """The Directory of the rules in force: rebuilt only when they are reloaded."""

    def __init__(
        self, rules: Callable[[], Rules], transports: Transports, catalog: Catalog | None = None
    ) -> None:
        self._rules = rules
        self.transports = transports
        self._catalog = catalog
        self._directory: Directory | None = None

    def current(self) -> Directory:
        rules = self._rules()
        if self._directory is None or self._directory.rules is not rules:
            self._directory = Directory(rules, self.transports, self._catalog)
        return self._directory

    def __call__(self, name: str) -> ReceiverChannels | None:
        return self.current()(name)
