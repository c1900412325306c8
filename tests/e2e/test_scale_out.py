"""A scaled deployment on PostgreSQL behaves as one bot (DESIGN.md section 10, issue 13 section 4):
two `serve --no-worker --no-clock` web processes, two `worker` and one `clock` (two for the
digest test), all real processes, with FakeSlack and aiosmtpd as the receivers."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.bot import bot_env
from fakes.drain import drained
from fakes.fleet import Fleet
from fakes.private_pg import own_schema, private_postgres
from fakes.slack import FakeSlack
from fakes.smtp import Inbox, smtp_server
from fakes.storm import ANSWER_SECONDS, Storm, debugger_fields
from fakes.wait import wait_until
from sqlalchemy import Engine, Row, select

from notifier.pipeline.memory import lock_groups
from notifier.store.engine import make_engine
from notifier.store.migrations import migrate
from notifier.store.schema import digest_runs, event_outcomes, events, groups, notifications

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("TEST_POSTGRES_URL"), reason="needs TEST_POSTGRES_URL"),
]

CODES = ("11200", "11205", "30007", "13227")  # one alert group each: fewer than a storm fold
SLACK_CHANNEL = "C0SCALE0UT"  # by ID, with the history scopes: Slack posts are sent once
DIGEST_CHANNEL = "C0DIGEST01"
RULES = f"""
[defaults]
receivers = ["ops"]
group_by = ["error_code", "account_sid"]
group_wait = "0s"
group_interval = "1h"

[receivers.ops]
slack = {{ channel = "{SLACK_CHANNEL}" }}
email = {{ to = ["oncall@example.com"] }}
[receivers.digests]
slack = {{ channel = "{DIGEST_CHANNEL}" }}

[[routes]]
name = "all"
match = {{}}
"""
DIGEST_RULES = f"""{RULES}
[[digests]]
name = "minutely"
schedule = "* * * * *"
receivers = ["digests"]
period = "1m"
"""
# Bounds, not expected times: a delivery in flight in a killed worker waits out its 45 s lease.
DRAIN_SECONDS = 75.0
SEND_SECONDS = 60.0
# Digests run on the minute: the next one is at most 60 s after both clocks are up (a bound
# that allows for a slow start when this test runs alone).
DIGEST_SECONDS = 130.0


@dataclass(frozen=True)
class Receivers:
    slack: FakeSlack
    inbox: Inbox
    env: dict[str, str]  # the variables that point the bot at them


@contextlib.contextmanager
def receivers() -> Iterator[Receivers]:
    """FakeSlack and an SMTP inbox (aiosmtpd) on loopback."""
    inbox = Inbox()
    with FakeSlack() as slack, smtp_server(inbox) as port:
        env = {
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_API_URL": slack.api_url,
            "SMTP_URL": f"smtp://127.0.0.1:{port}",
            "EMAIL_FROM": "bot@example.com",
        }
        yield Receivers(slack, inbox, env)


def release(url: str) -> None:
    """What the Procfile's release phase does before the processes start: migrate the store."""
    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()


@contextlib.contextmanager
def deployment(folder: Path, url: str, rules: str, **env: str) -> Iterator[tuple[Fleet, Receivers]]:
    """The receivers, and a fleet (no process started yet) on the store `url`, migrated."""
    release(url)
    with receivers() as out, Fleet(bot_env(folder, url, rules, **out.env, **env), folder) as fleet:
        yield fleet, out


def start_web_and_workers(fleet: Fleet) -> list[str]:
    """Two workers, a clock, then two web processes; the web processes' URLs once ready."""
    for number in (1, 2):
        fleet.start(f"worker-{number}", "worker")
    fleet.start("clock-1", "clock")
    return fleet.webs("web-1", "web-2")


def storm_targets(
    webs: list[str], count: int, redelivered: int
) -> list[tuple[str, dict[str, str]]]:
    """`count` distinct events spread over the web processes, then `redelivered` of them again
    (as Twilio retries), each to the other web process than the first time."""
    first = [(webs[n % 2], debugger_fields(n, CODES[n % len(CODES)])) for n in range(count)]
    step = max(1, count // redelivered)
    again = [(webs[(n + 1) % 2], first[n][1]) for n in range(0, count, step)][:redelivered]
    return first + again


def store_counts(engine: Engine) -> dict[str, Any]:
    """Events stored per Sid, outcomes per event, first notices per group, counted events."""
    with engine.connect() as conn:
        keys = conn.execute(select(events.c.dedup_key)).scalars()
        sids = Counter(key.removeprefix("debugger:") for key in keys)
        outcomes = Counter(conn.execute(select(event_outcomes.c.event_id)).scalars())
        columns = notifications.c.group_key, notifications.c.channel, notifications.c.reason
        reasons = conn.execute(select(*columns)).all()
        group_keys = list(conn.execute(select(groups.c.key)).scalars())
        counted = sum(state.event_count for state in lock_groups(conn, group_keys).values())
    firsts = Counter((key, channel) for key, channel, reason in reasons if reason == "first")
    return {"sids": sids, "outcomes": outcomes, "firsts": firsts, "counted": counted}


def check_processed_once(url: str, sent: set[str], acknowledged: set[str]) -> set[str]:
    """Once all is processed and delivered: each acknowledged event stored, each stored event
    stored and processed once and counted in its group, one first notice per group and
    channel. Returns the Sids stored."""
    engine = make_engine(url)
    try:
        wait_until(lambda: drained(engine), "delivered backlog", seconds=DRAIN_SECONDS)
        found = store_counts(engine)
    finally:
        engine.dispose()
    stored = set(found["sids"])
    assert acknowledged <= stored, "an acknowledged event was lost"
    assert stored <= sent
    assert set(found["sids"].values()) == {1}, "an event was stored twice"
    assert len(found["outcomes"]) == len(stored), "an event was not processed"
    assert set(found["outcomes"].values()) == {1}, "an event was processed twice"
    assert found["counted"] == len(stored), "the groups did not count each event once"
    # One first notice per group, to each of its receiver's two channels (Slack and email).
    assert len({key for key, _ in found["firsts"]}) == len(CODES)
    assert sorted(found["firsts"].values()) == [1] * 2 * len(CODES), "a first notice twice"
    return stored


def emailed_codes(inbox: Inbox) -> Counter[str]:
    subjects = [str(message["Subject"]) for message in inbox.messages]
    return Counter(code for subject in subjects for code in CODES if code in subject)


def test_storm_over_two_web_processes_with_a_worker_killed_is_processed_and_alerted_once(
    tmp_path: Path,
) -> None:
    with own_schema() as url, deployment(tmp_path, url, RULES) as (fleet, out):
        webs = start_web_and_workers(fleet)
        targets = storm_targets(webs, count=900, redelivered=200)
        storm = Storm(targets)
        storm.start()
        storm.wait_for(len(targets) // 3, SEND_SECONDS)
        fleet.kill("worker-1")  # mid-batch, most likely: both workers are busy by now
        fleet.restart("worker-1")
        storm.join(SEND_SECONDS)
        sent = {fields["Sid"] for _, fields in targets}
        check_processed_once(url, sent, set(storm.acknowledged()))
        assert fleet.exited() == {}
        posts = [m for m in out.slack.messages if m["thread_ts"] is None]

    assert {answer.status for answer in storm.answers} == {200}
    # Sent once (README, "Sent once, where Slack lets the bot check"): one post per group.
    assert len(posts) == len(CODES)
    assert len({delivery_id(post) for post in posts}) == len(CODES)
    # Email is at-least-once: the killed worker may have been sending one when it died.
    assert set(emailed_codes(out.inbox)) == set(CODES)
    assert max(emailed_codes(out.inbox).values()) <= 2


def readyz(base: str) -> int:
    try:
        return httpx.get(f"{base}/readyz", timeout=ANSWER_SECONDS).status_code
    except httpx.TransportError:
        return 0


def test_postgres_stopped_under_load_answers_503_loses_nothing_and_recovers_unrestarted(
    tmp_path: Path,
) -> None:
    # A real stop and start of a cluster of the test's own (a TCP proxy cut would not close
    # the server's side as PostgreSQL does on a restart, nor refuse new connections the same way).
    with private_postgres() as pg, deployment(tmp_path, pg.url, RULES) as (fleet, _):
        webs = start_web_and_workers(fleet)
        targets = storm_targets(webs, count=500, redelivered=100)
        storm = Storm(targets, retry_until=time.monotonic() + SEND_SECONDS)
        storm.start()
        storm.wait_for(len(targets) // 4, SEND_SECONDS)
        pg.stop()
        down = time.monotonic()
        wait_until(lambda: [readyz(web) for web in webs] == [503, 503], "/readyz 503", seconds=10)
        refused = len(storm.answers)
        wait_until(lambda: len(storm.answers) > refused + 50, "requests while down", seconds=10)
        pg.start()
        down = time.monotonic() - down
        back = lambda: [readyz(web) for web in webs] == [200, 200]  # noqa: E731
        wait_until(back, "/readyz 200 again", seconds=10)
        recovered = time.monotonic()
        storm.join(SEND_SECONDS)
        sent = {fields["Sid"] for _, fields in targets}
        stored = check_processed_once(pg.url, sent, set(storm.acknowledged()))
        assert fleet.exited() == {}, "a process died with the database"
        assert [readyz(web) for web in webs] == [200, 200]

    statuses = Counter(answer.status for answer in storm.answers)
    slowest = max(answer.seconds for answer in storm.answers)
    print(f"down {down:.1f} s: answers {dict(statuses)}, slowest {slowest:.2f} s")
    assert set(statuses) == {200, 503}, statuses  # never 500, never unanswered
    assert slowest < ANSWER_SECONDS
    assert all(answer.retry_after for answer in storm.answers if answer.status == 503)
    assert stored == sent  # Twilio's retries brought every refused event in
    # Once /readyz says ready again, nothing is refused: no connection the stop cut is lent out.
    after = Counter(answer.status for answer in storm.answers if answer.started > recovered)
    assert set(after) == {200}, after


@dataclass(frozen=True)
class Clocks:
    url: str
    slack: FakeSlack
    fleet: Fleet


@pytest.fixture(scope="module", autouse=True)
def digest_clocks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clocks]:
    """A worker and two clocks on one store from the start of this module: digests run on the
    minute, so the other tests' time counts towards the wait for the next period."""
    folder = tmp_path_factory.mktemp("clocks")
    rules, env = DIGEST_RULES, {"LOG_LEVEL": "INFO"}  # INFO: each clock logs what it did
    with own_schema() as url, deployment(folder, url, rules, **env) as (fleet, out):
        fleet.start("worker-1", "worker")
        for name in ("clock-1", "clock-2"):
            fleet.start(name, "clock")
        yield Clocks(url, out.slack, fleet)


def posted_deliveries(slack: FakeSlack, channel: str) -> Counter[str]:
    """How many times each delivery (by the id in its message metadata) was posted."""
    posts = [m for m in slack.messages if m["channel_id"] == channel]
    return Counter(delivery_id(post) for post in posts)


def delivery_id(message: dict[str, Any]) -> str:
    metadata = message.get("metadata")  # form-encoded calls carry it as a JSON string
    metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
    return str(metadata["event_payload"]["delivery_id"]) if metadata else ""


def periods(engine: Engine) -> list[datetime]:
    with engine.connect() as conn:
        return list(conn.execute(select(digest_runs.c.period_start)).scalars())


def digest_deliveries(engine: Engine) -> list[Row[Any]]:
    """The outbox rows of digests: id, group_key (one per period) and status."""
    columns = notifications.c.id, notifications.c.group_key, notifications.c.status
    with engine.connect() as conn:
        return list(conn.execute(select(*columns).where(notifications.c.reason == "digest")))


def sent_digests(engine: Engine) -> set[str]:
    """The periods (by group key) whose digest was delivered."""
    return {row.group_key for row in digest_deliveries(engine) if row.status == "sent"}


def raced(fleet: Fleet) -> bool:
    """At a scheduled time one clock sent the digest and the other found it claimed."""
    return "digest minutely: claimed_elsewhere" in fleet.log("clock-1") + fleet.log("clock-2")


def test_two_clocks_send_each_digest_period_once(digest_clocks: Clocks) -> None:
    slack, fleet = digest_clocks.slack, digest_clocks.fleet
    engine = make_engine(digest_clocks.url)
    try:
        # The period caught up on start, and at least one the clocks raced for on the minute.
        two = lambda: len(periods(engine)) >= 2 and raced(fleet)  # noqa: E731
        wait_until(two, "two digest periods claimed, one raced for", seconds=DIGEST_SECONDS)
        # Claimed, then built and queued: a period claimed a moment ago may not be queued yet.
        keys = {f"digest|minutely|{start.isoformat()}" for start in periods(engine)}
        sent = lambda: keys <= sent_digests(engine)  # noqa: E731
        wait_until(sent, "delivery of every claimed digest period", seconds=DRAIN_SECONDS)
        rows = [row for row in digest_deliveries(engine) if row.group_key in keys]
    finally:
        engine.dispose()
    posted = posted_deliveries(slack, DIGEST_CHANNEL)

    assert fleet.exited() == {}
    assert sorted(row.group_key for row in rows) == sorted(keys)  # each period queued once
    assert [posted[str(row.id)] for row in rows] == [1] * len(rows)  # and posted once
    assert set(posted.values()) == {1}
