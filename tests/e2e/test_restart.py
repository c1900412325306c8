"""SIGTERM, as a platform sends on every deploy, then a restart on the same store: nothing that
was acknowledged is lost or counted twice, no Slack notice is posted twice, and the process is
gone well before the platform's SIGKILL (30 s after SIGTERM)."""

import json
import signal
import subprocess
import time
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from fakes.bot import NOTIFIER, Bot, bot_env, serving
from fakes.drain import wait_until_processed
from fakes.slack import FakeSlack
from fakes.webhooks import send_until_refused, sending
from sqlalchemy import Engine, func, select

from notifier.shutdown import BUDGET_SECONDS
from notifier.store.engine import make_engine
from notifier.store.events import list_events
from notifier.store.outbox import HANDED_BACK_NOTE
from notifier.store.schema import event_outcomes, notifications

pytestmark = pytest.mark.e2e

SENDERS, ACKNOWLEDGED_BEFORE_STOP = 4, 300
# The platform's SIGKILL comes 30 s after SIGTERM; notifier/shutdown.py budgets 20 s.
EXIT_SECONDS = BUDGET_SECONDS
# Repeats every 2 s: replies posted in the thread while the stream runs, so that sends are in
# flight when SIGTERM comes.
RULES = """
[receivers.ops]
slack = { channel = "#alerts" }
[[routes]]
name = "all"
match = {}
receivers = ["ops"]
group_interval = "1s"
repeat_interval = "2s"
"""


def slack_env(folder: Path, database_url: str, slack: FakeSlack) -> dict[str, str]:
    return bot_env(
        folder, database_url, RULES, SLACK_BOT_TOKEN=slack.token, SLACK_API_URL=slack.api_url
    )


def stop_with_sigterm(bot: Bot) -> tuple[float, int]:
    """(seconds from SIGTERM until the process ended, its exit status)."""
    started = time.monotonic()
    bot.process.send_signal(signal.SIGTERM)
    try:
        status = bot.process.wait(timeout=EXIT_SECONDS + 5)
    except Exception:
        pytest.fail(f"still running after SIGTERM:\n{bot.log.read_text()}")
    return time.monotonic() - started, status


def stream_then_stop(env: dict[str, str], folder: Path) -> tuple[list[str], float, int]:
    """Signed webhooks from several threads; SIGTERM once enough were acknowledged."""
    with serving(env, folder) as bot:
        numbers = count()  # shared: each thread takes the next number
        with sending(bot.url, [numbers] * SENDERS, ACKNOWLEDGED_BEFORE_STOP) as acknowledged:
            took, status = stop_with_sigterm(bot)
    return acknowledged, took, status


def delivery_ids(slack: FakeSlack) -> list[str]:
    """The outbox delivery each message posted to Slack was for (its metadata says)."""
    ids = []
    for message in slack.messages:
        metadata: Any = message.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        ids.append(str(metadata["event_payload"]["delivery_id"]))
    return ids


def store_counts(engine: Engine) -> tuple[list[str], int, list[tuple[str, int]]]:
    """(Sids stored, outcomes recorded, (reason, cycle) of the notifications queued)."""
    with engine.connect() as conn:
        sids = [str(item.event.event_sid) for item in list_events(conn, None, 100_000)]
        outcomes = conn.execute(select(func.count()).select_from(event_outcomes)).scalar_one()
        query = select(notifications.c.reason, notifications.c.cycle)
        reasons = [(row.reason, row.cycle) for row in conn.execute(query)]
    return sids, outcomes, reasons


def test_sigterm_under_a_stream_then_restart_loses_nothing_and_posts_nothing_twice(
    tmp_path: Path, database_url: str
) -> None:
    with FakeSlack() as slack:
        env = slack_env(tmp_path, database_url, slack)
        acknowledged, took, status = stream_then_stop(env, tmp_path)
        engine = make_engine(database_url)
        try:
            with serving(env, tmp_path):
                wait_until_processed(engine)
            sids, outcomes, reasons = store_counts(engine)
        finally:
            engine.dispose()
        posted = delivery_ids(slack)

    assert status == 0 and took < EXIT_SECONDS
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_STOP
    assert set(acknowledged) <= set(sids)
    assert len(sids) == len(set(sids))  # stored once each
    assert outcomes == len(sids)  # processed once each
    # One group, one first notice per cycle (a pause past repeat_interval, 2 s here, such as
    # the restart, rightly starts a new cycle).
    firsts = [cycle for reason, cycle in reasons if reason == "first"]
    assert sorted(firsts) == list(range(1, max(cycle for _, cycle in reasons) + 1))
    assert len(posted) == len(set(posted))  # no delivery posted twice


def test_a_send_hanging_at_sigterm_neither_holds_the_stop_nor_waits_out_its_lease(
    tmp_path: Path, database_url: str
) -> None:
    engine = make_engine(database_url)
    with FakeSlack() as slack:
        env = slack_env(tmp_path, database_url, slack)
        slack.hang()  # Slack accepts the post and never answers
        with serving(env, tmp_path) as bot:
            send_until_refused(bot.url, [1], acknowledged := [])
            wait_until_claimed(engine)
            took, status = stop_with_sigterm(bot)
        handed_back = outbox_row(engine)
        slack.hang(False)  # the cut-off post may now be made: the restart must look for it
        restarted = time.monotonic()
        with serving(env, tmp_path):
            wait_until_processed(engine)
        delivered_after = time.monotonic() - restarted  # start-up included
        posted = delivery_ids(slack)
    engine.dispose()

    assert acknowledged == [f"NO{1:032d}"]
    assert status == 0 and took < EXIT_SECONDS
    assert handed_back == (None, 0, HANDED_BACK_NOTE)  # no lease left, no attempt counted
    assert delivered_after < 30  # a lease left behind would have held it 45 s
    assert len(posted) == 1  # whether or not the cut-off try reached Slack


def wait_until_claimed(engine: Engine, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(select(notifications.c.lease_until)).scalars().first():
                return
        time.sleep(0.05)
    raise AssertionError("the notice was never claimed for sending")


def outbox_row(engine: Engine) -> tuple[Any, ...]:
    """(lease_until, attempts, last_error) of the one notification."""
    columns = notifications.c
    with engine.connect() as conn:
        row = conn.execute(select(columns.lease_until, columns.attempts, columns.last_error)).one()
    return tuple(row)


@pytest.mark.parametrize("role", ["worker", "clock"])
def test_worker_and_clock_exit_0_soon_after_sigterm(
    tmp_path: Path, database_url: str, role: str
) -> None:
    env = bot_env(tmp_path, database_url, RULES, LOG_LEVEL="INFO")
    log = tmp_path / f"{role}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([NOTIFIER, role], env=env, cwd=tmp_path, stdout=out, stderr=out)
        try:
            wait_for_line(log, f"{role} started", process)
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            status = process.wait(timeout=EXIT_SECONDS + 5)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

    assert status == 0, log.read_text()
    assert time.monotonic() - started < EXIT_SECONDS


def wait_for_line(log: Path, text: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        assert process.poll() is None, f"exited with {process.returncode}:\n{log.read_text()}"
        time.sleep(0.05)
    raise AssertionError(f"never logged {text!r}:\n{log.read_text()}")
