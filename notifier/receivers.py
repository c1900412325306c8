"""Which sender delivers to each receiver of rules.toml (console, Slack, email)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from notifier.channels.console import print_notice
from notifier.channels.email_delivery import send_rendered_email, smtp_config
from notifier.channels.pacing import Paced, Pacer
from notifier.channels.result import Outcome
from notifier.channels.slack_delivery import SlackDelivery, api_lane, webhook_lane
from notifier.delivery import Fold, Lane, LaneFor, Sender, SenderFor
from notifier.events import utcnow
from notifier.render.console import render_console
from notifier.render.context import RenderContext
from notifier.render.email import render_email
from notifier.rules.model import Receiver, Rules
from notifier.settings import Settings
from notifier.store.outbox import Delivery


def render_context(rules: Rules) -> RenderContext:
    return RenderContext(ZoneInfo(rules.settings.timezone), dict(rules.settings.accounts))


class Channels:
    """What the Slack and email senders share: settings, the store, one HTTP session."""

    def __init__(
        self, settings: Settings, engine: Engine, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.settings = settings
        pacer = Pacer(engine, clock)
        self.slack = SlackDelivery(
            engine,
            settings.slack_bot_token,
            settings.slack_api_url,
            pacer,
            settings.slack_timeout,
        )
        self.smtp = smtp_config(settings.smtp_url, settings.email_from)

    async def aclose(self) -> None:
        await self.slack.aclose()


def sender_for_rules(rules: Callable[[], Rules], channels: Channels) -> SenderFor:
    """Looks the receiver up in the rules in force at send time (they may have been reloaded)."""

    def sender_for(name: str) -> Sender | None:
        current = rules()
        receiver = current.receivers.get(name)
        if receiver is None:
            return None
        ctx = render_context(current)
        if receiver.kind == "console":
            return _console(ctx)
        if receiver.kind == "slack":
            return _slack(channels, receiver, ctx)
        if receiver.kind == "email":
            return _email(channels, receiver, ctx)
        return None

    return sender_for


def lane_for_rules(rules: Callable[[], Rules], channels: Channels) -> LaneFor:
    """Slack receivers are paced per channel (a webhook per receiver) and fold in a storm."""

    def lane_for(name: str) -> Lane | None:
        current = rules()
        receiver = current.receivers.get(name)
        if receiver is None or receiver.kind != "slack":
            return None
        channel, url = receiver.config.get("channel"), receiver.config.get("webhook_url")
        if url:
            fold = _storm_webhook(channels, name, str(url))
            return Lane(webhook_lane(name), fold, frozenset({name}))
        if channel:
            fold = _storm_api(channels, str(channel))
            return Lane(api_lane(str(channel)), fold, _api_receivers(current, str(channel)))
        return None

    return lane_for


def _api_receivers(rules: Rules, channel: str) -> frozenset[str]:
    """The Slack receivers posting to `channel` through the Web API: they share its lane."""
    return frozenset(
        receiver.name
        for receiver in rules.receivers.values()
        if receiver.kind == "slack"
        and not receiver.config.get("webhook_url")
        and str(receiver.config.get("channel")) == channel
    )


def _storm_api(channels: Channels, channel: str) -> Fold:
    async def fold(deliveries: list[Delivery]) -> Paced:
        return await channels.slack.storm_api(deliveries, channel)

    return fold


def _storm_webhook(channels: Channels, receiver: str, url: str) -> Fold:
    async def fold(deliveries: list[Delivery]) -> Paced:
        return await channels.slack.storm_webhook(deliveries, receiver, url)

    return fold


def _console(ctx: RenderContext) -> Sender:
    async def send(delivery: Delivery) -> Outcome:
        return print_notice(render_console(delivery.notice, ctx))

    return send


def _slack(channels: Channels, receiver: Receiver, ctx: RenderContext) -> Sender:
    # rules.toml guarantees exactly one of channel or webhook_url.
    url = receiver.config.get("webhook_url")

    async def send(delivery: Delivery) -> Paced:
        if url:
            return await channels.slack.send_webhook(delivery, str(url), ctx)
        return await channels.slack.send_api(delivery, str(receiver.config["channel"]), ctx)

    return send


def _email(channels: Channels, receiver: Receiver, ctx: RenderContext) -> Sender:
    async def send(delivery: Delivery) -> Outcome:
        sender = channels.settings.email_from
        return await send_rendered_email(
            channels.smtp,
            sender,
            receiver.config,
            lambda prefix: render_email(delivery.notice, ctx, prefix),
        )

    return send
