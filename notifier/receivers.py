"""Which sender delivers to each receiver of rules.toml (console, Slack, email)."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from notifier.channels.console import print_notice
from notifier.channels.email_delivery import send_notice_email, smtp_config
from notifier.channels.result import Failed, Outcome
from notifier.channels.slack_delivery import SlackDelivery
from notifier.delivery import Sender, SenderFor
from notifier.render.console import render_console
from notifier.render.context import RenderContext
from notifier.rules.model import Receiver, Rules
from notifier.settings import Settings
from notifier.store.outbox import Delivery


def render_context(rules: Rules) -> RenderContext:
    return RenderContext(ZoneInfo(rules.settings.timezone), dict(rules.settings.accounts))


class Channels:
    """What the Slack and email senders share: settings, the store, one HTTP session."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.slack = SlackDelivery(engine, settings.slack_bot_token, settings.slack_api_url)
        self.smtp = smtp_config(settings.smtp_url, settings.email_from)

    async def aclose(self) -> None:
        await self.slack.aclose()


def sender_for_rules(rules: Callable[[], Rules], channels: Channels | None = None) -> SenderFor:
    """Looks the receiver up in the rules in force at send time (they may have been reloaded)."""

    def sender_for(name: str) -> Sender | None:
        current = rules()
        receiver = current.receivers.get(name)
        if receiver is None:
            return None
        ctx = render_context(current)
        if receiver.kind == "console":
            return _console(ctx)
        if channels is None:
            return _unconfigured(receiver)
        if receiver.kind == "slack":
            return _slack(channels, receiver, ctx)
        if receiver.kind == "email":
            return _email(channels, receiver, ctx)
        return None

    return sender_for


def _console(ctx: RenderContext) -> Sender:
    async def send(delivery: Delivery) -> Outcome:
        return print_notice(render_console(delivery.notice, ctx))

    return send


def _slack(channels: Channels, receiver: Receiver, ctx: RenderContext) -> Sender:
    channel, url = receiver.config.get("channel"), receiver.config.get("webhook_url")

    async def send(delivery: Delivery) -> Outcome:
        if url:
            return await channels.slack.send_webhook(delivery, str(url), ctx)
        if channel:
            return await channels.slack.send_api(delivery, str(channel), ctx)
        return Failed(f"receiver {receiver.name!r} has neither channel nor webhook_url")

    return send


def _email(channels: Channels, receiver: Receiver, ctx: RenderContext) -> Sender:
    async def send(delivery: Delivery) -> Outcome:
        sender = channels.settings.email_from
        return await send_notice_email(delivery, channels.smtp, sender, receiver.config, ctx)

    return send


def _unconfigured(receiver: Receiver) -> Sender:
    async def send(delivery: Delivery) -> Outcome:
        return Failed(f"{receiver.kind} delivery is not configured in this process")

    return send
