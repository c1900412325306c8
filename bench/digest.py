"""Benchmark: a daily digest over 1,000,000 stored events (DESIGN section 9: <= 3 s).

    .venv/bin/python -m bench.digest [--url DATABASE_URL] [--events 1000000] [--days 1]

Bulk-inserts synthetic events (and one outcome each), all received within the last `--days`
days, with the driver itself (executemany of tuples on SQLite, COPY on PostgreSQL), then times
`build_report` for the last 24 hours.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from notifier.digest.build import build_report
from notifier.rules.model import Digest
from notifier.store.engine import make_engine
from notifier.store.migrations import migrate
from notifier.store.schema import events
from notifier.twilio.catalog import Catalog

CHUNK = 50_000
CODES = [str(code) for code in (11200, 11205, 30007, 30008, 32009, 13227, 21610, 31005)]
OUTCOMES = ("alerted", "silenced", "dropped", "below_threshold", "muted", "inhibited")
EVENT_COLUMNS = (
    "id, dedup_key, source, received_at, time, level, error_code, account_sid, resource_sid, "
    "data, raw_body, headers, processed_at, attempts"
)
OUTCOME_COLUMNS = "event_id, route, outcome, time"

Row = tuple[object, ...]


def synthetic(count: int, end: datetime, span: timedelta) -> Iterator[tuple[Row, Row]]:
    """(event, outcome) rows; times are naive UTC, as the store keeps them."""
    rng = random.Random(7)
    naive_end = end.astimezone(UTC).replace(tzinfo=None)
    seconds = span.total_seconds()
    for event_id in range(1, count + 1):
        when = naive_end - timedelta(seconds=seconds * rng.random())
        code = rng.choice(CODES) if rng.random() < 0.97 else str(20000 + rng.randrange(40))
        level = "error" if rng.random() < 0.8 else "warning"
        account = f"AC{rng.randrange(50):032d}"
        resource = f"CA{rng.randrange(100_000):032d}"
        event = (event_id, f"bench-{event_id}", "debugger", when, when, level, code, account)
        event += (resource, "{}", "", "{}", when, 1)
        route = "webhooks" if code.startswith("11") else "everything-else"
        yield event, (event_id, route, rng.choice(OUTCOMES), when)


def fill(engine: Engine, count: int, end: datetime, span: timedelta) -> None:
    rows = synthetic(count, end, span)
    if engine.dialect.name == "postgresql":
        _fill_postgresql(engine, rows)
    else:
        _fill_sqlite(engine, rows)


def _fill_sqlite(engine: Engine, rows: Iterator[tuple[Row, Row]]) -> None:
    def text(row: Row) -> Row:  # the text form SQLAlchemy stores SQLite datetimes in
        return tuple(_sqlite_time(v) if isinstance(v, datetime) else v for v in row)

    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        while chunk := [pair for _, pair in zip(range(CHUNK), rows, strict=False)]:
            cursor.execute("BEGIN")
            cursor.executemany(
                f"INSERT INTO events ({EVENT_COLUMNS}) VALUES ({', '.join('?' * 14)})",
                [text(event) for event, _ in chunk],
            )
            cursor.executemany(
                f"INSERT INTO event_outcomes ({OUTCOME_COLUMNS}) VALUES (?, ?, ?, ?)",
                [text(outcome) for _, outcome in chunk],
            )
            cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
    finally:
        connection.close()


def _sqlite_time(value: datetime) -> str:
    return value.isoformat(" ", "microseconds")


def _fill_postgresql(engine: Engine, rows: Iterator[tuple[Row, Row]]) -> None:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        outcomes = []
        with cursor.copy(f"COPY events ({EVENT_COLUMNS}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for event, outcome in rows:
                copy.write_row(event)
                outcomes.append(outcome)
        with cursor.copy(f"COPY event_outcomes ({OUTCOME_COLUMNS}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for outcome in outcomes:
                copy.write_row(outcome)
        connection.commit()
        connection.driver_connection.autocommit = True  # type: ignore[union-attr]
        cursor.execute("VACUUM ANALYZE events")  # VACUUM sets the visibility map: index-only scans
        cursor.execute("VACUUM ANALYZE event_outcomes")
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="a store URL (default: a new SQLite file)")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=float, default=1.0, help="events spread over this many days")
    parser.add_argument(
        "--reuse", action="store_true", help="a store already filled: time the digest only"
    )
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    engine = make_engine(url)
    migrate(engine)
    name = engine.dialect.name
    if args.reuse:
        with engine.connect() as conn:
            end = conn.execute(select(func.max(events.c.received_at))).scalar_one()
        end = end.replace(microsecond=0) + timedelta(seconds=1)
    else:
        end = datetime.now(UTC).replace(microsecond=0)
        started = time.perf_counter()
        fill(engine, args.events, end, timedelta(days=args.days))
        took = time.perf_counter() - started
        print(f"{name}: inserted {args.events} events (and outcomes) in {took:.1f} s")
    digest = Digest("daily", "0 9 * * *", ("local",))
    for attempt in (1, 2, 3):
        started = time.perf_counter()
        with engine.connect() as conn:
            report = build_report(conn, digest, end - timedelta(days=1), end, Catalog())
        elapsed = time.perf_counter() - started
        print(f"{name}: digest build #{attempt}: {elapsed:.2f} s ({report.total} events in it)")


if __name__ == "__main__":
    main()
