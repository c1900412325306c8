"""Factories for delivery tests: a pinned clock, notices queued in the outbox, and a real
Deliverer with the real senders, run on one event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from fakes.slack import FakeSlack
from notifier.delivery import Deliverer
from notifier.events import Event
from notifier.notices import Notice, Reason
from notifier.receivers import Channels, lane_for_rules, sender_for_rules
from notifier.rules.model import Rules
from notifier.settings import Settings
from notifier.store.outbox import enqueue

NOW = datetime(2024, 6, 4, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock that stands still until the test moves `now`."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


def notice(
    group: str = "webhooks|11200", *receivers: str, reason: Reason = Reason.FIRST, count: int = 1
) -> Notice:
    """A notice for one 11200 from the debugger at NOW, to `receivers` (by default "slack")."""
    event = Event(source="debugger", time=NOW, error_code="11200", message="HTTP retrieval failed")
    return Notice("webhooks", group, reason, event, count, NOW, NOW, receivers or ("slack",))


def queue(engine: Engine, *items: Notice, cycle: int = 1, at: datetime = NOW) -> None:
    with engine.begin() as conn:
        for item in items:
            enqueue(conn, item, cycle, at)


def slack_settings(slack: FakeSlack, **settings: Any) -> Settings:
    """Settings whose Slack Web API is `slack`."""
    return Settings(slack_bot_token=slack.token, slack_api_url=slack.api_url, **settings)


def make_deliverer(
    engine: Engine, rules: Rules, settings: Settings, clock: Clock, **options: Any
) -> tuple[Deliverer, Channels]:
    """A Deliverer through the real senders and lanes; the caller closes the Channels."""
    channels = Channels(settings, engine, clock)
    senders = sender_for_rules(lambda: rules, channels)
    lanes = lane_for_rules(lambda: rules, channels)
    return Deliverer(engine, senders, clock, lane_for=lanes, **options), channels


def run(
    engine: Engine,
    rules: Rules,
    settings: Settings,
    clock: Clock,
    scenario: Callable[[Deliverer], Awaitable[None]],
    **options: Any,
) -> None:
    """Runs `scenario(deliverer)` on one loop, then closes the deliverer's channels."""
    deliverer, channels = make_deliverer(engine, rules, settings, clock, **options)

    async def go() -> None:
        try:
            await scenario(deliverer)
        finally:
            await channels.aclose()

    asyncio.run(go())
