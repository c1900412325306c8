"""Benchmark: a daily digest over 1,000,000 stored events (DESIGN section 9: <= 3 s).

    .venv/bin/python -m bench.digest [--url DATABASE_URL] [--events 1000000] [--days 1]

Bulk-inserts synthetic events (and one outcome each) with executemany in chunks, all received
within the last `--days` days, then times `build_report` for the last 24 hours.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert

from notifier.digest.build import build_report
from notifier.rules.model import Digest
from notifier.store.engine import make_engine
from notifier.store.migrations import migrate
from notifier.store.schema import event_outcomes, events
from notifier.twilio.catalog import Catalog

CHUNK = 20_000
CODES = [str(code) for code in (11200, 11205, 30007, 30008, 32009, 13227, 21610, 31005)]
OUTCOMES = ("alerted", "silenced", "dropped", "below_threshold", "muted", "inhibited")


def fill(engine: Engine, count: int, end: datetime, span: timedelta) -> None:
    rng = random.Random(7)
    for first in range(0, count, CHUNK):
        ids = range(first + 1, min(first + CHUNK, count) + 1)
        rows, outcomes = [], []
        for event_id in ids:
            when = end - span * rng.random()
            code = rng.choice(CODES) if rng.random() < 0.97 else str(20000 + rng.randrange(40))
            rows.append(_event(event_id, when, code, rng))
            route = "webhooks" if code.startswith("11") else "everything-else"
            outcomes.append(
                {
                    "event_id": event_id,
                    "route": route,
                    "outcome": rng.choice(OUTCOMES),
                    "time": when,
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(events), rows)
            conn.execute(insert(event_outcomes), outcomes)


def _event(event_id: int, when: datetime, code: str, rng: random.Random) -> dict[str, object]:
    return {
        "id": event_id,
        "dedup_key": f"bench-{event_id}",
        "source": "debugger",
        "received_at": when,
        "time": when,
        "level": "error" if rng.random() < 0.8 else "warning",
        "error_code": code,
        "account_sid": f"AC{rng.randrange(50):032d}",
        "resource_sid": f"CA{rng.randrange(100_000):032d}",
        "data": "{}",
        "raw_body": "",
        "headers": "{}",
        "processed_at": when,
        "attempts": 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="a store URL (default: a new SQLite file)")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=float, default=1.0, help="events spread over this many days")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    engine = make_engine(url)
    migrate(engine)
    end = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    fill(engine, args.events, end, timedelta(days=args.days))
    took = time.perf_counter() - started
    print(f"{engine.dialect.name}: inserted {args.events} events in {took:.1f} s")
    digest = Digest("daily", "0 9 * * *", ("local",))
    for attempt in (1, 2):
        started = time.perf_counter()
        with engine.connect() as conn:
            report = build_report(conn, digest, end - timedelta(days=1), end, Catalog())
        elapsed = time.perf_counter() - started
        name = engine.dialect.name
        print(f"{name}: digest build #{attempt}: {elapsed:.2f} s ({report.total} events in it)")


if __name__ == "__main__":
    main()
