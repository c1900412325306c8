"""Pacing Slack channels through the store: one message a second each, and 429s honoured.

Every worker takes a channel's turn from the same `channel_pace` row, so two processes (or one
restarted after a 429) never send to a channel faster than Slack allows. A send that cannot go
now is not queued in memory: it becomes a Retry for the moment the channel's turn comes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from notifier.channels.result import Outcome, Retry
from notifier.store.pacing import hold_until, take_turn

SPACING = timedelta(seconds=1)  # https://api.slack.com/docs/rate-limits#each-channel
WAITING = "slack: waiting for this channel's turn (rate limit: 1 message/s or Retry-After)"


class Pacer:
    """Sends through a channel's turn; `clock` is the same as the Deliverer's."""

    def __init__(
        self, engine: Engine, clock: Callable[[], datetime], spacing: timedelta = SPACING
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._spacing = spacing
        # Within one process, sends to a channel go one after another, so a 429 is stored
        # before the next of them asks for its turn.
        self._locks: dict[str, asyncio.Lock] = {}

    async def send(self, key: str, send: Callable[[], Awaitable[Outcome]]) -> Outcome:
        async with self._locks.setdefault(key, asyncio.Lock()):
            wait = await asyncio.to_thread(self._take, key)
            if wait > 0:
                return Retry(wait, WAITING)
            outcome = await send()
            if isinstance(outcome, Retry) and outcome.after_seconds:
                await asyncio.to_thread(self._hold, key, outcome.after_seconds)
            return outcome

    def _take(self, key: str) -> float:
        now = self._clock()
        with self._engine.begin() as conn:
            next_at = take_turn(conn, key, now, self._spacing)
        return 0.0 if next_at is None else max((next_at - now).total_seconds(), 0.001)

    def _hold(self, key: str, seconds: float) -> None:
        until = self._clock() + timedelta(seconds=seconds)
        with self._engine.begin() as conn:
            hold_until(conn, key, until)
