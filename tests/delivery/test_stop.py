"""A stopping deliverer lets short sends end and hands the others back, due at once: after a
clean stop no delivery waits out its lease."""

import asyncio
import time
from datetime import timedelta

from fakes.delivery import Clock, outbox, queue
from fakes.notices import make_notice
from sqlalchemy import Engine

from notifier.delivery import Deliverer
from notifier.delivery.console_channel import ConsoleChannel
from notifier.delivery.directory import ReceiverChannels
from notifier.delivery.outcome import Paced, Sent
from notifier.delivery.transports import Transports
from notifier.render.context import RenderContext
from notifier.rules.model import ConsoleConfig
from notifier.settings import Settings
from notifier.store.outbox import HANDED_BACK_NOTE, Delivery, claim_deliveries


class Gated(ConsoleChannel):
    """A channel whose sends end, sent, `seconds` after they start (never, for None)."""

    def __init__(self, engine: Engine, seconds: float | None) -> None:
        super().__init__(ConsoleConfig(), "slack", Transports.start(Settings(), engine))
        self.seconds = seconds

    async def send(self, delivery: Delivery, message: str) -> Paced:
        if self.seconds is None:
            await asyncio.Event().wait()
        await asyncio.sleep(self.seconds or 0)
        return Sent()


def deliverer(engine: Engine, clock: Clock, seconds: float | None) -> Deliverer:
    channels = ReceiverChannels("slack", {"console": Gated(engine, seconds)}, RenderContext(), {})
    return Deliverer(engine, lambda _receiver: channels, clock)


def start_then_stop(engine: Engine, clock: Clock, seconds: float | None, grace: float) -> float:
    """Starts sending the queued deliveries, stops with `grace`; returns how long stop took."""

    async def scenario() -> float:
        sending = deliverer(engine, clock, seconds)
        assert await sending.start_once() == 1
        started = time.monotonic()
        await sending.stop(grace)
        return time.monotonic() - started

    return asyncio.run(scenario())


def claimable(engine: Engine, clock: Clock) -> list[Delivery]:
    with engine.begin() as conn:
        return claim_deliveries(conn, clock.now, timedelta(seconds=45), 10)


def test_delivery_in_flight_at_stop_is_claimable_at_once_after(engine: Engine) -> None:
    clock = Clock()
    queue(engine, make_notice("voice", "slack"))

    took = start_then_stop(engine, clock, seconds=None, grace=0.2)

    assert took < 2  # the hanging send was cut off after the grace, not the job's 30 s
    [again] = claimable(engine, clock)  # at the same instant: no lease left to wait out
    assert again.attempts == 1  # the cut-off try is not counted against the receiver
    assert again.in_doubt_since == clock.now  # it may have got through: checked before resent


def test_handed_back_delivery_says_why_in_the_history(engine: Engine) -> None:
    queue(engine, make_notice("voice", "slack"))

    start_then_stop(engine, Clock(), seconds=None, grace=0)

    assert outbox(engine, "status", "last_error", "lease_until") == [
        ("pending", HANDED_BACK_NOTE, None)
    ]


def test_send_that_ends_within_the_grace_is_recorded_sent(engine: Engine) -> None:
    clock = Clock()
    queue(engine, make_notice("voice", "slack"))

    start_then_stop(engine, clock, seconds=0.1, grace=5)

    assert outbox(engine, "status", "attempts", "in_doubt_since") == [("sent", 1, None)]
    assert claimable(engine, clock) == []


def test_stop_waits_no_longer_than_the_sends_take(engine: Engine) -> None:
    queue(engine, make_notice("voice", "slack"))

    took = start_then_stop(engine, Clock(), seconds=0.1, grace=10)

    assert took < 2
