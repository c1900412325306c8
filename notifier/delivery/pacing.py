"""Pacing Slack channels through the store: one message a second each, and 429s honoured.

Every worker takes a channel's turn from the same `channel_pace` row, so two processes (or one
restarted after a 429) never send to a channel faster than Slack allows. A send that cannot go
now is not queued in memory: it is Deferred to the channel's turn, which uses up no attempt.
Sends deferred against the same turn are staggered one spacing apart, so they do not all come
due at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Engine

from notifier.delivery.outcome import Deferred, Paced, Retry, SendResult
from notifier.store.engine import run_for_loop
from notifier.store.pacing import hold_until, take_turn

SPACING = timedelta(seconds=1)  # https://api.slack.com/docs/rate-limits#each-channel


class Pacer:
    """Sends through a channel's turn; `clock` is the same as the Deliverer's."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock
        # Within one process, sends to a channel go one after another, so a 429 is stored
        # before the next of them asks for its turn.
        self._locks: dict[str, asyncio.Lock] = {}
        # Per channel: the turn sends were last deferred to, and how many were.
        self._queued: dict[str, tuple[datetime, int]] = {}

    async def send(self, key: str, send: Callable[[], Awaitable[SendResult]]) -> Paced:
        async with self._locks.setdefault(key, asyncio.Lock()):
            now = self._clock()
            turn = await run_for_loop(self._engine, partial(self._take, key, now))
            if turn is not None:
                return Deferred(self._slot(key, turn, now))
            outcome = await send()
            if isinstance(outcome, Retry) and outcome.after_seconds:
                await run_for_loop(self._engine, partial(self._hold, key, outcome.after_seconds))
            return outcome

    def _take(self, key: str, now: datetime) -> datetime | None:
        with self._engine.begin() as conn:
            return take_turn(conn, key, now, SPACING)

    def _slot(self, key: str, turn: datetime, now: datetime) -> float:
        """Seconds until this send's place in the line for `turn`: the n-th waits n spacings."""
        queued_for, ahead = self._queued.get(key, (turn, 0))
        ahead = ahead if queued_for == turn else 0
        self._queued[key] = (turn, ahead + 1)
        return max((turn + ahead * SPACING - now).total_seconds(), 0.001)

    def _hold(self, key: str, seconds: float) -> None:
        until = self._clock() + timedelta(seconds=seconds)
        with self._engine.begin() as conn:
            hold_until(conn, key, until)
