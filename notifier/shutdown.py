"""How a process stops on SIGTERM: the time each stage may take, and the signal handling.

Platforms send SIGTERM on every deploy and daily restart and SIGKILL 30 s later (Heroku, Render,
Kubernetes' default terminationGracePeriodSeconds). The stages below take about 15 s at most,
within a budget of 20 s that leaves 10 s before the kill for a slow machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

# Requests already read are answered (they only wait for the inbox's next commit, milliseconds);
# a client still trickling its body after this is cut off unanswered, and Twilio retries it.
REQUESTS_SECONDS = 5  # uvicorn's timeout_graceful_shutdown, whole seconds
# Sends in flight may end and be recorded; the rest are handed back, due at once, for the next
# process. Shorter than one Slack call's own limit (10 s), so that a call hanging at the stop is
# handed back, not counted as a failed attempt; and than a job's (30 s): it must not hold the stop.
DELIVERIES_SECONDS = 8.0
# Then a commit or two: the inbox's last batch (notifier/ingest/writer.py's FLUSH_SECONDS at
# most), the hand-back.
BUDGET_SECONDS = 20.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT set `stop` (on the running loop, which must be in the main thread)."""
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)


@contextlib.contextmanager
def sigterm_exits_cleanly() -> Iterator[None]:
    """uvicorn raises the SIGTERM it handled again once it has shut down gracefully, so that
    the default action (death by signal, exit status 143) ends the process. Inside this block
    that SIGTERM (or one before uvicorn took the signal over) exits with status 0 instead,
    running the `finally` clauses on its way: a stop asked for and done cleanly."""

    def exit_cleanly(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, exit_cleanly)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
