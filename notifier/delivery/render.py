"""The render stage: a delivery's message for its channel, before any pacing or sending. Pure."""

from __future__ import annotations

from typing import Any

from notifier.delivery.plan import Route
from notifier.store.outbox import Delivery, DigestMessage


def render(route: Route, delivery: Delivery) -> Any:
    """A notice is rendered now, with the rules in force; a digest was rendered when claimed."""
    if isinstance(delivery.content, DigestMessage):
        return route.channel.digest_message(delivery.content.payload)
    return route.channel.render(delivery.content, route.ctx)
