"""Benchmark: web console pages with 1,000,000 stored events (DESIGN section 9: <= 200 ms).

    .venv/bin/python -m bench.console [--events 1000000] [--days 30] [--backend sqlite|postgres]
                                      [--repeat 15]

Fills a fresh store (a SQLite file in a temp dir, or a new database on the PostgreSQL of
--postgres-admin, dropped at the end) by bulk insert with the driver: events with full JSON,
one outcome each, alert groups, notifications, silences and digest runs. Then times every page
in-process: the app's ASGI callable through httpx's ASGITransport, logged in, so the figure is
the server's time for routing, the queries (in a worker thread, as served) and rendering, with
no network. Prints p50 and max per page against 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import Engine, create_engine, text

from notifier.app import Runtime, create_app
from notifier.events import Event
from notifier.notices import Notice, Reason, notice_to_json
from notifier.pipeline.groups import GroupState, Phase
from notifier.settings import Settings
from notifier.store.engine import normalise_url
from notifier.twilio.catalog import BUNDLED

CHUNK = 20_000
BUDGET_MS = 200.0
PASSWORD = "bench"
CODES = ("11200", "11205", "11750", "30007", "30008", "32009", "13227", "21610", "31005")
SOURCES = (("debugger", 0.95), ("event_stream", 0.03), ("fallback", 0.01), ("alarm", 0.01))
OUTCOMES = (
    ("alerted", 0.70),
    ("dropped", 0.10),
    ("unmatched", 0.05),
    ("silenced", 0.05),
    ("below_threshold", 0.05),
    ("muted", 0.03),
    ("inhibited", 0.02),
)
ACCOUNTS = [f"AC{n:032d}" for n in range(50)]
WORDS = ("timeout", "refused", "502", "SSL", "DNS", "reset", "slow", "404")
RULES = """
[defaults]
receivers = ["local"]
[receivers.local]
console = {}
[[routes]]
name = "webhooks"
[[digests]]
name = "daily"
schedule = "0 8 * * *"
"""
Row = tuple[object, ...]


def pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def event_rows(count: int, end: datetime, span: timedelta) -> Iterator[tuple[Row, Row]]:
    """(event, outcome) rows, received in id order over `span` up to `end` (naive UTC)."""
    rng = random.Random(15)
    start = end.replace(tzinfo=None) - span
    step = span / count
    for n in range(1, count + 1):
        when = start + step * n
        source, code, account = pick(rng, SOURCES), rng.choice(CODES), rng.choice(ACCOUNTS)
        level = "error" if rng.random() < 0.8 else "warning"
        message = f"Request to https://api.example.com/hook {rng.choice(WORDS)} after {n % 997} ms"
        if n % 50_000 == 0:
            message += " needle-rare"
        data = {"source": source, "time": when.isoformat() + "Z", "level": level}
        data |= {"error_code": code, "account_sid": account, "message": message}
        raw = f"Sid=NO{n:032d}&Level={level.upper()}&Payload=" + json.dumps(data)
        headers = '{"content-type":"application/x-www-form-urlencoded","user-agent":"TwilioProxy"}'
        event: Row = (n, f"bench-{n}", source, when, when, level, code, account, None)
        event += (json.dumps(data), raw, headers, when, 1)
        outcome = pick(rng, OUTCOMES)
        key = f"webhooks|{code}|{account}" if outcome == "alerted" else None
        yield event, (n, "webhooks", outcome, key, when)


EVENT_COLUMNS = (
    "id, dedup_key, source, received_at, time, level, error_code, account_sid, resource_sid, "
    "data, raw_body, headers, processed_at, attempts"
)
OUTCOME_COLUMNS = "event_id, route, outcome, group_key, time"
GROUP_COLUMNS = "key, route, state, due_at"
NOTIFICATION_COLUMNS = (
    "route, receiver, reason, group_key, cycle, notice, status, attempts, last_error, "
    "created_at, next_attempt_at, sent_at"
)


def group_rows(end: datetime) -> list[Row]:
    """One group per code and account; a tenth of them open (due), the rest quiet."""
    rows: list[Row] = []
    naive = end.replace(tzinfo=None)
    for n, (code, account) in enumerate((c, a) for c in CODES for a in ACCOUNTS):
        key = f"webhooks|{code}|{account}"
        event = Event("debugger", end, error_code=code, account_sid=account, message="bench")
        phase = Phase.OPEN if n % 10 == 0 else Phase.QUIET
        state = GroupState(
            key,
            "webhooks",
            {"error_code": code, "account_sid": account},
            phase,
            1,
            1000,
            end - timedelta(days=1),
            end,
            event,
            end,
            end,
        )
        rows.append((key, "webhooks", state.to_json(), naive if phase == Phase.OPEN else None))
    return rows


def notification_rows(count: int, end: datetime) -> Iterator[Row]:
    rng = random.Random(16)
    event = Event("debugger", end, error_code="11200", message="bench")
    notice = Notice("webhooks", "webhooks|11200|x", Reason.FIRST, event, 1, end, end, ("local",))
    encoded = json.dumps(notice_to_json(notice))
    naive = end.replace(tzinfo=None)
    for n in range(count):
        code, account = rng.choice(CODES), rng.choice(ACCOUNTS)
        status = pick(rng, (("sent", 0.95), ("failed", 0.03), ("pending", 0.02)))
        when = naive - timedelta(seconds=count - n)
        error = "channel_not_found" if status == "failed" else None
        yield (
            "webhooks",
            "local",
            "first",
            f"webhooks|{code}|{account}",
            1,
            encoded,
            status,
            1,
            error,
            when,
            when,
            when if status == "sent" else None,
        )


def fill(engine: Engine, count: int, end: datetime, span: timedelta) -> None:
    pairs = event_rows(count, end, span)
    _load(engine, pairs, ("events", EVENT_COLUMNS), ("event_outcomes", OUTCOME_COLUMNS))
    _load(engine, ((row,) for row in group_rows(end)), ("groups", GROUP_COLUMNS))
    notices = ((row,) for row in notification_rows(50_000, end))
    _load(engine, notices, ("notifications", NOTIFICATION_COLUMNS))
    naive = end.replace(tzinfo=None)
    silences = [
        (
            json.dumps({"error_code": CODES[n % 9]}),
            naive - timedelta(hours=n),
            naive + timedelta(hours=n - 10),
            "bench",
        )
        for n in range(20)
    ]
    _load(
        engine, ((row,) for row in silences), ("silences", "matchers, starts_at, ends_at, comment")
    )
    _analyze(engine)


def _load(engine: Engine, rows: Iterator[tuple[Row, ...]], *tables: tuple[str, str]) -> None:
    """Bulk insert with the driver, a chunk a transaction; each item of `rows` holds one row
    for each of `tables` (name, columns)."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        while chunk := [item for _, item in zip(range(CHUNK), rows, strict=False)]:
            for n, (table, columns) in enumerate(tables):
                _insert(engine, cursor, table, columns, [item[n] for item in chunk])
            connection.commit()
    finally:
        connection.close()


def _insert(engine: Engine, cursor: object, table: str, columns: str, rows: list[Row]) -> None:
    if engine.dialect.name == "postgresql":
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(rows[0]))
    values = [tuple(_sqlite(v) for v in row) for row in rows]
    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)  # type: ignore[attr-defined]


def _sqlite(value: object) -> object:
    return value.isoformat(" ", "microseconds") if isinstance(value, datetime) else value


def _analyze(engine: Engine) -> None:
    connection = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            connection.driver_connection.autocommit = True  # type: ignore[union-attr]
            connection.cursor().execute("VACUUM ANALYZE")
        else:
            connection.cursor().execute("ANALYZE")
            connection.commit()
    finally:
        connection.close()


def pages(end: datetime, count: int) -> list[tuple[str, str]]:
    def at(hours: float) -> str:
        return (end - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")

    night = {"since": at(14), "until": at(6)}
    middle = (end - timedelta(days=15)).isoformat()
    listed = [
        ("overview", "/console/", {}),
        ("events", "/console/events", {}),
        ("events, deep page (15 days back)", "/console/events", {"before": f"{middle}_0"}),
        ("events by code", "/console/events", {"error_code": "11205"}),
        ("events by level", "/console/events", {"level": "warning"}),
        ("events by source (1%)", "/console/events", {"source": "alarm"}),
        ("events by account", "/console/events", {"account_sid": ACCOUNTS[7]}),
        ("events by outcome (2%)", "/console/events", {"outcome": "inhibited"}),
        ("events, last night", "/console/events", night),
        ("events, code + last night", "/console/events", {"error_code": "11200", **night}),
        ("events, text search", "/console/events", {"text": "refused"}),
        ("events, rare text, last 24 h", "/console/events", {"text": "needle", "since": at(24)}),
        ("events, rare text, no range", "/console/events", {"text": "needle"}),
        ("one event (the middle one)", f"/console/events/{count // 2}", {}),
        ("group timeline", "/console/group", {"key": f"webhooks|11200|{ACCOUNTS[0]}"}),
        ("notifications", "/console/notifications", {}),
        ("notifications failed", "/console/notifications", {"status": "failed"}),
        ("silences", "/console/silences", {}),
        ("digests (+ preview)", "/console/digests", {}),
        ("audit", "/console/audit", {}),
    ]
    return [(name, f"{path}?{urlencode(query)}" if query else path) for name, path, query in listed]


async def time_pages(
    runtime: Runtime, end: datetime, count: int, repeat: int
) -> list[tuple[str, list[float]]]:
    app = create_app(runtime, run_worker=False)
    transport = httpx.ASGITransport(app=app)
    results = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        login = await client.post("/console/login", data={"password": PASSWORD})
        assert login.status_code == 303, login.text
        await _wait_for_previews(client)
        for name, url in pages(end, count):
            await client.get(url)  # untimed: Jinja compiles each template on its first use
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                answer = await client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
            results.append((name, times))
    return results


async def _wait_for_previews(client: httpx.AsyncClient) -> None:
    """The digests page builds its preview in the background: time it once built, as a user
    sees it after the first view (that build's time is printed)."""
    started = time.perf_counter()
    for _ in range(1200):
        if "As of" in (await client.get("/console/digests")).text:
            print(
                f"digest preview built in the background in {time.perf_counter() - started:.1f} s"
            )
            return
        await asyncio.sleep(0.1)
    raise SystemExit("the digest preview was not built within 2 minutes")


@contextmanager
def store_url(backend: str, admin: str, keep: bool) -> Iterator[str]:
    if backend == "sqlite":
        folder = tempfile.mkdtemp()
        yield f"sqlite:///{folder}/console-bench.db"
        if not keep:
            shutil.rmtree(folder)
        return
    name = f"bench_console_{uuid.uuid4().hex[:8]}"
    engine = create_engine(normalise_url(admin), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        if not keep:
            with engine.connect() as conn:
                conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=float, default=30.0, help="received over this many days")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--postgres-admin",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="a PostgreSQL to create the benchmark's database in (and drop it from)",
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the store and print its URL")
    parser.add_argument("--url", help="time a store a --keep run filled (same --events)")
    args = parser.parse_args()
    end = datetime.now(UTC).replace(microsecond=0)
    with _store(args) as url, tempfile.TemporaryDirectory() as folder:
        rules = Path(folder) / "rules.toml"
        rules.write_text(RULES)
        settings = Settings(
            database_url=url,
            rules_file=rules,
            console_password=PASSWORD,
            error_codes_file=Path(str(BUNDLED)),
        )
        runtime = Runtime.start(settings, fetch_catalog=False)
        if args.url:
            end = _newest(runtime.engine)
        else:
            started = time.perf_counter()
            fill(runtime.engine, args.events, end, timedelta(days=args.days))
            took = time.perf_counter() - started
            print(f"{args.backend}: filled {args.events} events in {took:.0f} s")
        if args.keep:
            print(f"kept: --url {url}")
        results = asyncio.run(time_pages(runtime, end, args.events, args.repeat))
        runtime.engine.dispose()
    report(args.backend, results)


@contextmanager
def _store(args: argparse.Namespace) -> Iterator[str]:
    if args.url:
        yield args.url
    else:
        with store_url(args.backend, args.postgres_admin, args.keep) as url:
            yield url


def _newest(engine: Engine) -> datetime:
    with engine.connect() as conn:
        newest = conn.execute(text("SELECT max(received_at) FROM events")).scalar_one()
    moment = newest if isinstance(newest, datetime) else datetime.fromisoformat(str(newest))
    return moment.replace(tzinfo=UTC, microsecond=0) + timedelta(seconds=1)


def report(backend: str, results: list[tuple[str, list[float]]]) -> None:
    print(f"| page ({backend}) | p50 ms | max ms | ≤ {BUDGET_MS:.0f} ms |")
    print("| --- | ---: | ---: | --- |")
    for name, times in results:
        verdict = "met" if max(times) <= BUDGET_MS else "**not met**"
        print(f"| {name} | {statistics.median(times):.1f} | {max(times):.1f} | {verdict} |")


if __name__ == "__main__":
    main()
