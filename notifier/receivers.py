"""Which sender delivers to each receiver of rules.toml (console, Slack, email)."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from notifier.channels.console import print_notice
from notifier.channels.result import Outcome
from notifier.delivery import Sender, SenderFor
from notifier.render.console import render_console
from notifier.render.context import RenderContext
from notifier.rules.model import Rules
from notifier.store.outbox import Delivery


def render_context(rules: Rules) -> RenderContext:
    return RenderContext(ZoneInfo(rules.settings.timezone), dict(rules.settings.accounts))


def sender_for_rules(rules: Callable[[], Rules]) -> SenderFor:
    """Looks the receiver up in the rules in force at send time (they may have been reloaded)."""

    def sender_for(name: str) -> Sender | None:
        current = rules()
        receiver = current.receivers.get(name)
        if receiver is None:
            return None
        if receiver.kind == "console":
            return _console(render_context(current))
        return None

    return sender_for


def _console(ctx: RenderContext) -> Sender:
    async def send(delivery: Delivery) -> Outcome:
        return print_notice(render_console(delivery.notice, ctx))

    return send
