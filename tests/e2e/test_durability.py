"""kill -9 during a burst of webhooks: every event that got a 200 is stored and counted once,
and the alert it raised is neither lost nor sent twice."""

import os
import signal
from pathlib import Path

import pytest
from fakes.bot import bot_env, serving
from fakes.drain import wait_until_processed
from fakes.webhooks import sending
from sqlalchemy import func, select

from notifier.store.engine import make_engine
from notifier.store.events import list_events
from notifier.store.schema import event_outcomes, events, notifications

pytestmark = pytest.mark.e2e

TOTAL, KILL_AFTER, SENDERS = 3000, 1000, 8
RULES = '[receivers.local]\nconsole = {}\n[[routes]]\nname = "all"\nmatch = {}\n'
# A bound, not an expected time: the killed process's claims died with its transaction, so
# the restarted worker takes every event at once.


def stored_sids(database_url: str) -> list[str | None]:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        stored = list_events(conn, None, 100_000)
    engine.dispose()
    return [item.event.event_sid for item in stored]


def counts_after_restart(database_url: str) -> tuple[int, int, list[str]]:
    """(events stored, outcomes recorded, reasons of notifications) once all is processed."""
    engine = make_engine(database_url)
    try:
        wait_until_processed(engine)
        with engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(events)).scalar_one()
            outcomes = conn.execute(select(func.count()).select_from(event_outcomes)).scalar_one()
            reasons = list(conn.execute(select(notifications.c.reason)).scalars())
    finally:
        engine.dispose()
    return stored, outcomes, reasons


def kill_mid_burst(env: dict[str, str], folder: Path) -> list[str]:
    """Send a burst from several threads, kill -9 the bot once KILL_AFTER got a 200."""
    with serving(env, folder) as bot:
        streams = [range(i, TOTAL, SENDERS) for i in range(SENDERS)]
        with sending(bot.url, streams, KILL_AFTER) as acknowledged:
            os.kill(bot.process.pid, signal.SIGKILL)
    return acknowledged


def test_every_acknowledged_event_is_counted_once_and_alerted_once_after_kill_9(
    tmp_path: Path, database_url: str
) -> None:
    env = bot_env(tmp_path, database_url, RULES)
    acknowledged = kill_mid_burst(env, tmp_path)
    with serving(env, tmp_path):
        stored, outcomes, reasons = counts_after_restart(database_url)

    assert KILL_AFTER <= len(acknowledged) <= stored
    assert outcomes == stored  # every stored event went through the pipeline exactly once
    assert reasons.count("first") == 1  # one group (one code, one account): one first notice


def test_every_acknowledged_event_survives_kill_9(tmp_path: Path, database_url: str) -> None:
    env = bot_env(tmp_path, database_url)
    acknowledged = kill_mid_burst(env, tmp_path)
    with serving(env, tmp_path):  # the store opens again after the crash
        sids = stored_sids(database_url)

    assert KILL_AFTER <= len(acknowledged) < TOTAL  # killed mid-burst
    assert set(acknowledged) <= set(sids)
    assert len(sids) == len(set(sids))
