"""Which claimed deliveries go alone and which fold into one storm summary per lane."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from notifier.delivery.channel import Channel
from notifier.delivery.directory import ReceiverChannels, Target
from notifier.notices import Notice
from notifier.render.context import RenderContext
from notifier.store.outbox import Delivery

# More due deliveries for one lane than it can send in a few seconds at one a second.
FOLD_OVER = 5

Lookup = Callable[[str], ReceiverChannels | None]


@dataclass(frozen=True)
class Route:
    """Where one delivery goes: its channel, what it renders with, who shares its lane."""

    channel: Channel[Any]
    ctx: RenderContext
    lane_targets: tuple[Target, ...] = ()


def route(delivery: Delivery, lookup: Lookup) -> Route | None:
    receiver = lookup(delivery.receiver)
    channel = receiver.get(delivery.channel) if receiver is not None else None
    if receiver is None or channel is None:
        return None
    return Route(channel, receiver.ctx, receiver.lanes.get(channel.lane or "", ()))


@dataclass(frozen=True)
class Job:
    """One send: a single delivery through its channel (None: the rules lost it), or a lane's
    storm folded into one summary (`fold`)."""

    deliveries: list[Delivery]
    route: Route | None
    fold: bool = False


def plan(deliveries: list[Delivery], lookup: Lookup) -> list[Job]:
    """Folds each lane with more than FOLD_OVER notices; every other delivery goes alone."""
    routes = {delivery.id: route(delivery, lookup) for delivery in deliveries}
    lanes: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        found = routes[delivery.id]
        if found is not None and found.channel.lane and isinstance(delivery.content, Notice):
            lanes.setdefault(found.channel.lane, []).append(delivery)
    storms = [batch for batch in lanes.values() if len(batch) > FOLD_OVER]
    folded = {delivery.id for batch in storms for delivery in batch}
    jobs = [Job(batch, routes[batch[0].id], fold=True) for batch in storms]
    alone = [delivery for delivery in deliveries if delivery.id not in folded]
    return jobs + [Job([delivery], routes[delivery.id]) for delivery in alone]
