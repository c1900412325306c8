"""Worker benchmark of DESIGN section 9, row 5, and the storm of row 4 at the pipeline's level.

    python -m bench.worker [--events 50000] [--ingest-batch 1000] [--storm 10000]
                           [--app-requests 10000] [--postgres URL | --no-postgres]

For each store (a new SQLite file; a schema of its own in PostgreSQL):
 bot ingest  `--app-requests` signed debugger webhooks through the real ASGI app, worker off
             (bench/app_ingest.py): the rate at which the bot can accept events, the reference
             the worker must keep up with. Target: worker / bot ingest >= 1.
 store insert  `--events` events of realistic variety (7 codes, 5 accounts) stored with
             insert_events in transactions of `--ingest-batch`, as the inbox writer commits: the
             store's own ceiling, a stricter figure shown for information.
 worker      the same events processed by Worker.process_once (claim, enrich, route, suppress,
             group, count, record outcomes, enqueue, mark processed; batches of 500) and
             flush_once, until the backlog is empty. Rules: a drop route, a threshold route, a
             group_wait route, an SMS route and unmatched codes. Delivery is not timed.
 storm       `--storm` events of code 11200, times spread over 60 s, stored and processed second
             by second with a pinned clock stepping through them, then flushed 2 minutes on.
             Target: exactly 1 first notice, <= 1 update per group_interval (1m), count == storm.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, text

from bench.app_ingest import app_ingest_rate
from notifier.delivery import Deliverer
from notifier.events import Event
from notifier.pipeline.memory import lock_groups
from notifier.pipeline.process import Pipeline
from notifier.rules.load import parse_rules
from notifier.rules.model import Rules
from notifier.store.engine import make_engine, normalise_url
from notifier.store.events import IncomingEvent, insert_events, pending_backlog
from notifier.store.migrations import migrate
from notifier.store.schema import notifications
from notifier.twilio import catalog as catalog_module
from notifier.twilio.catalog import BUNDLED as catalog_bundle
from notifier.worker import Worker

ERROR_CODES_FILE = Path(str(catalog_bundle))
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ACCOUNTS = ["AC" + c * 32 for c in "abcde"]  # "e" is the test account the rules drop
CODES = ["11200", "11200", "11205", "30007", "30008", "32009", "82002"]  # 82002: unmatched
RULES = f"""
[receivers.local]
console = {{}}
[defaults]
group_by = ["error_code", "account_sid"]
group_interval = "1m"

[[routes]]
name = "ignore-test-account"
match = {{ account_sid = "{ACCOUNTS[-1]}" }}
drop = true

[[routes]]
name = "webhook-failures"
match = {{ error_code = ["11200-11299"], level = "error" }}
threshold = {{ count = 5, within = "10m" }}

[[routes]]
name = "sms"
match = {{ error_code = ["30003-30008"] }}
group_wait = "30s"

[[routes]]
name = "voice"
match = {{ error_code = "32009" }}
"""
STORM_RULES = '[receivers.local]\nconsole = {}\n[defaults]\ngroup_interval = "1m"\n'
STORM_RULES += '[[routes]]\nname = "storm"\nmatch = { error_code = "11200" }\n'
_serial = itertools.count()


def make_incoming(code: str, account: str, at: datetime) -> IncomingEvent:
    """An event as the debugger endpoint stores it, with a raw form body of realistic size."""
    sid = f"NO{next(_serial):032x}"
    url = f"https://api.example.com/twilio/hooks/{random.randrange(50)}"
    event = Event(
        source="debugger",
        time=at,
        level="warning" if code == "32009" else "error",
        error_code=code,
        message=f"An attempt to retrieve content from {url} returned the HTTP status code 502",
        event_sid=sid,
        account_sid=account,
        resource_sid=f"CA{random.getrandbits(128):032x}",
        resource_type="call",
        url=url,
        method="POST",
        http_status=502,
    )
    body = f"AccountSid={account}&Level=ERROR&Sid={sid}&Payload=" + "x" * 700
    headers = {"content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "s" * 28}
    return IncomingEvent(dedup_key=sid, event=event, raw_body=body, headers=headers)


def variety(count: int, seconds: float) -> list[IncomingEvent]:
    step = seconds / count
    return [
        make_incoming(
            random.choice(CODES), random.choice(ACCOUNTS), START + timedelta(seconds=i * step)
        )
        for i in range(count)
    ]


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


def make_worker(engine: Engine, rules: Rules, clock: Clock) -> Worker:
    catalog = catalog_module.Catalog()
    catalog.replace(catalog_module.load_file(ERROR_CODES_FILE))
    pipeline = Pipeline(lambda: rules, catalog)
    deliverer = Deliverer(engine, lambda _receiver: None, clock)
    return Worker(engine, pipeline, deliverer, clock=clock)


def ingest(engine: Engine, items: list[IncomingEvent], batch: int) -> float:
    """Events stored per second, one transaction per batch as the inbox writer commits."""
    started = time.perf_counter()
    for i in range(0, len(items), batch):
        with engine.begin() as conn:
            insert_events(conn, items[i : i + batch], datetime.now(UTC))
    return len(items) / (time.perf_counter() - started)


def drain(worker: Worker) -> int:
    processed = 0
    while n := worker.process_once():
        processed += n
        worker.flush_once()
    worker.flush_once()
    return processed


def throughput(engine: Engine, events: int, batch: int) -> dict[str, float]:
    items = variety(events, seconds=600)
    ingest_rate = ingest(engine, items, batch)
    clock = Clock(START + timedelta(minutes=11))
    worker = make_worker(engine, parse_rules(RULES, "bench-rules.toml", {}), clock)
    started = time.perf_counter()
    processed = drain(worker)
    worker_rate = processed / (time.perf_counter() - started)
    with engine.connect() as conn:
        assert pending_backlog(conn)[0] == 0, "backlog left"
        notices = conn.execute(select(func.count()).select_from(notifications)).scalar_one()
    assert processed == events, (processed, events)
    return {"ingest": ingest_rate, "worker": worker_rate, "notices": notices}


def storm(engine: Engine, count: int) -> dict[str, object]:
    rules = parse_rules(STORM_RULES, "storm-rules.toml", {})
    clock = Clock()
    worker = make_worker(engine, rules, clock)
    by_second: dict[int, list[datetime]] = {}
    for i in range(count):
        by_second.setdefault(60 * i // count, []).append(START + timedelta(seconds=60 * i / count))
    # The worker keeps polling after the storm: step on to 2 minutes so the update is due.
    for second in range(121):
        clock.now = START + timedelta(seconds=second)
        items = [make_incoming("11200", ACCOUNTS[0], t) for t in by_second.get(second, [])]
        if items:
            with engine.begin() as conn:
                insert_events(conn, items, clock.now)
        drain(worker)
    query = select(notifications.c.reason, notifications.c.created_at, notifications.c.group_key)
    with engine.connect() as conn:
        sent = conn.execute(query.order_by(notifications.c.id)).all()
        states = lock_groups(conn, {row.group_key for row in sent})
    updates = [row.created_at for row in sent if row.reason != "first"]
    return {
        "notices": [(row.reason, (row.created_at - START).total_seconds()) for row in sent],
        "firsts": sum(row.reason == "first" for row in sent),
        "max_updates_per_minute": max(
            (sum(0 <= (u - t).total_seconds() < 60 for u in updates) for t in updates), default=0
        ),
        "group_counts": [state.event_count for state in states.values()],
    }


@contextlib.contextmanager
def sqlite_store() -> Iterator[tuple[Engine, str]]:
    url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    engine = make_engine(url)
    migrate(engine)
    yield engine, url
    engine.dispose()


@contextlib.contextmanager
def postgres_store(url: str) -> Iterator[tuple[Engine, str]]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(url))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in url else "?"
    schema_url = f"{url}{separator}options=-csearch_path%3D{schema}"
    engine = make_engine(schema_url)
    try:
        migrate(engine)
        yield engine, schema_url
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def store(
    name: str, args: argparse.Namespace
) -> contextlib.AbstractContextManager[tuple[Engine, str]]:
    return postgres_store(args.postgres) if name == "postgresql" else sqlite_store()


def run(name: str, args: argparse.Namespace) -> None:
    with store(name, args) as (engine, _):
        rates = throughput(engine, args.events, args.ingest_batch)
    with store(name, args) as (_, url):
        bot_ingest = app_ingest_rate(url, args.app_requests)
    print(
        f"{name:<10}  bot ingest {bot_ingest:>7,.0f} ev/s   store insert {rates['ingest']:>7,.0f} "
        f"ev/s   worker {rates['worker']:>7,.0f} ev/s   worker/bot ingest "
        f"{rates['worker'] / bot_ingest:.2f}   worker/store insert "
        f"{rates['worker'] / rates['ingest']:.2f}   ({args.events} events, "
        f"{rates['notices']:.0f} notices)",
        flush=True,
    )
    if args.storm:
        with store(name, args) as (engine, _):
            result = storm(engine, args.storm)
        print(
            f"{name:<10}  storm of {args.storm}: {result['firsts']} first, at most "
            f"{result['max_updates_per_minute']} update per minute, group count "
            f"{result['group_counts']}; notices (reason, s after start) {result['notices']}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worker", description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--ingest-batch", type=int, default=1000)
    parser.add_argument("--storm", type=int, default=10_000, help="0 skips the storm")
    parser.add_argument(
        "--app-requests", type=int, default=10_000, help="webhooks for the bot-ingest reference"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    random.seed(args.seed)
    for name in ("sqlite", *(() if args.no_postgres else ("postgresql",))):
        run(name, args)


if __name__ == "__main__":
    main()
