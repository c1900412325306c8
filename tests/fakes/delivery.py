"""Factories for delivery tests: a pinned clock, receivers, notices queued in the outbox, and a
real Deliverer with the real channels, run on one event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from fakes.events import NOW
from fakes.slack import FakeSlack
from notifier.delivery import Deliverer
from notifier.delivery.directory import Directory
from notifier.delivery.transports import Transports
from notifier.notices import Notice
from notifier.rules.model import (
    ConsoleConfig,
    EmailConfig,
    Receiver,
    Rules,
    SlackApiConfig,
    SlackWebhookConfig,
)
from notifier.settings import Settings
from notifier.store.outbox import enqueue
from notifier.store.schema import notifications


@dataclass
class Clock:
    """A clock that stands still until the test moves `now`."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


def slack(name: str = "slack", channel: str = "#alerts") -> Receiver:
    return Receiver(name, (SlackApiConfig(channel),))


def webhook(name: str, url: str) -> Receiver:
    return Receiver(name, (SlackWebhookConfig(url),))


def email(name: str, *to: str, subject_prefix: str = "") -> Receiver:
    return Receiver(name, (EmailConfig(to, subject_prefix),))


def console(name: str = "local") -> Receiver:
    return Receiver(name, (ConsoleConfig(),))


def rules_of(*receivers: Receiver) -> Rules:
    return Rules(receivers={receiver.name: receiver for receiver in receivers})


def queue(
    engine: Engine, *items: Notice, cycle: int = 1, at: datetime = NOW, rules: Rules | None = None
) -> None:
    """Queues notices as the pipeline does: with `rules`, one row per receiver channel."""
    with engine.begin() as conn:
        for item in items:
            enqueue(conn, item, cycle, at, rules.receivers if rules else None)


def outbox(engine: Engine, *columns: str) -> list[Any]:
    """The outbox's rows, oldest first, each with the named `columns`."""
    query = select(*(notifications.c[name] for name in columns)).order_by(notifications.c.id)
    with engine.connect() as conn:
        return list(conn.execute(query))


def slack_settings(slack: FakeSlack, **settings: Any) -> Settings:
    """Settings whose Slack Web API is `slack`."""
    return Settings(slack_bot_token=slack.token, slack_api_url=slack.api_url, **settings)


def make_deliverer(
    engine: Engine, rules: Rules, settings: Settings, clock: Clock, **options: Any
) -> tuple[Deliverer, Transports]:
    """A Deliverer through the real channels; the caller closes the Transports."""
    transports = Transports.start(settings, engine, clock)
    return Deliverer(engine, Directory(rules, transports), clock, **options), transports


def run(
    engine: Engine,
    rules: Rules,
    settings: Settings,
    clock: Clock,
    scenario: Callable[[Deliverer], Awaitable[None]],
    **options: Any,
) -> None:
    """Runs `scenario(deliverer)` on one loop, then closes the deliverer's channels."""
    deliverer, transports = make_deliverer(engine, rules, settings, clock, **options)

    async def go() -> None:
        try:
            await scenario(deliverer)
        finally:
            await transports.aclose()

    asyncio.run(go())
