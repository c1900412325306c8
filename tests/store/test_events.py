"""The event inbox on SQLite and PostgreSQL: idempotent inserts, leased claims, history."""

import json
import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.events import make_event, make_incoming
from sqlalchemy import Engine, func, select

from notifier.events import Event
from notifier.store.engine import make_engine
from notifier.store.events import (
    IncomingEvent,
    StoredEvent,
    claim_events,
    insert_events,
    lease_events,
    list_events,
    mark_processed,
    pending_backlog,
    prune_events,
)
from notifier.store.schema import events

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def insert(engine: Engine, keys: list[str], received_at: datetime = NOW) -> set[str]:
    with engine.begin() as conn:
        items = [make_incoming(NOW, key=f"debugger:{key}") for key in keys]
        return set(insert_events(conn, items, received_at))


def row_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def claim(engine: Engine, now: datetime = NOW, limit: int = 100) -> list[int]:
    """Claims in a transaction that commits without marking anything processed."""
    with engine.begin() as conn:
        return [stored.id for stored in claim_events(conn, now, limit)]


def test_redelivered_event_is_stored_once(engine: Engine) -> None:
    first = insert(engine, ["NO1"])
    again = insert(engine, ["NO1"])

    assert (first, again) == ({"debugger:NO1"}, set())
    assert row_count(engine) == 1


def test_batch_holding_one_key_twice_stores_it_once(engine: Engine) -> None:
    new = insert(engine, ["NO1", "NO2", "NO1"])

    assert new == {"debugger:NO1", "debugger:NO2"}
    assert row_count(engine) == 2


def test_batch_larger_than_one_statement_stores_each_event_once_with_its_id(
    engine: Engine,
) -> None:
    insert(engine, ["NO5"])
    keys = [f"debugger:NO{i}" for i in range(2_500)]  # PostgreSQL writes 1,000 rows per INSERT

    with engine.begin() as conn:
        returned = insert_events(conn, [make_incoming(NOW, key=key) for key in keys], NOW)

    with engine.connect() as conn:
        stored = {key: i for key, i in conn.execute(select(events.c.dedup_key, events.c.id))}
    assert returned == {key: stored[key] for key in keys if key != "debugger:NO5"}
    assert row_count(engine) == 2_500


def test_stored_event_reads_back_as_it_was_written(engine: Engine) -> None:
    insert(engine, ["NO1"])

    with engine.connect() as conn:
        [stored] = list_events(conn, None, 10)

    assert stored.received_at == NOW
    assert stored.event == make_event(NOW)


def test_events_claimed_by_a_transaction_that_did_not_mark_them_are_claimed_again(
    engine: Engine,
) -> None:
    insert(engine, ["NO1", "NO2"])

    first = claim(engine)
    again = claim(engine)

    assert len(first) == 2
    assert again == first


def test_leased_events_wait_until_their_lease_ends(engine: Engine) -> None:
    insert(engine, ["NO1", "NO2"])
    ids = claim(engine)
    with engine.begin() as conn:
        lease_events(conn, ids[:1], NOW + LEASE)

    during = claim(engine, NOW + LEASE - timedelta(seconds=1))
    after = claim(engine, NOW + LEASE + timedelta(seconds=1))

    assert during == ids[1:]
    assert after == ids


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_claim_skips_events_another_open_transaction_claimed(engine: Engine) -> None:
    insert(engine, ["NO1", "NO2", "NO3"])

    with engine.begin() as first, engine.begin() as second:
        taken = [stored.id for stored in claim_events(first, NOW, 2)]
        rest = [stored.id for stored in claim_events(second, NOW, 10)]

    assert len(taken) == 2 and len(rest) == 1
    assert rest[0] not in taken


def test_claim_takes_at_most_limit_oldest_first(engine: Engine) -> None:
    insert(engine, ["NO1", "NO2", "NO3"])
    everything = claim(engine)

    first = claim(engine, limit=2)

    assert first == sorted(everything)[:2]


def test_processed_events_are_never_claimed_again(engine: Engine) -> None:
    insert(engine, ["NO1", "NO2"])
    ids = claim(engine)
    with engine.begin() as conn:
        mark_processed(conn, ids[:1], NOW)

    later = claim(engine, NOW + LEASE * 10)

    assert later == ids[1:]


def test_list_events_since_returns_newer_events_newest_first(engine: Engine) -> None:
    insert(engine, ["old"], NOW - timedelta(hours=2))
    insert(engine, ["mid"], NOW - timedelta(minutes=30))
    insert(engine, ["new"], NOW)

    with engine.connect() as conn:
        listed = list_events(conn, NOW - timedelta(hours=1), 10)

    assert [s.received_at for s in listed] == [NOW, NOW - timedelta(minutes=30)]


def test_list_events_stops_at_limit(engine: Engine) -> None:
    insert(engine, [f"NO{i}" for i in range(5)])

    with engine.connect() as conn:
        listed = list_events(conn, None, 3)

    assert len(listed) == 3


def test_prune_deletes_only_events_received_before_the_cutoff(engine: Engine) -> None:
    insert(engine, ["old"], NOW - timedelta(days=31))
    insert(engine, ["new"], NOW - timedelta(days=29))

    with engine.begin() as conn:
        removed = prune_events(conn, NOW - timedelta(days=30))

    assert removed == 1
    assert row_count(engine) == 1


def test_pending_backlog_counts_unprocessed_and_dates_the_oldest(engine: Engine) -> None:
    insert(engine, ["NO1"], NOW - timedelta(minutes=5))
    insert(engine, ["NO2"], NOW)
    [oldest] = claim(engine, limit=1)
    with engine.begin() as conn:
        mark_processed(conn, [oldest], NOW)

    with engine.connect() as conn:
        backlog = pending_backlog(conn)

    assert backlog == (1, NOW)  # the oldest pending one is now NO2


def test_empty_store_has_no_backlog(engine: Engine) -> None:
    with engine.connect() as conn:
        assert pending_backlog(conn) == (0, None)


KEYS = [f"NO{i:04d}" for i in range(500)]


def insert_keys_in_chunks(url: str, start: object, results: object) -> None:
    """Child process: waits for the start signal, inserts KEYS 25 per transaction."""
    engine = make_engine(url)
    new: set[str] = set()
    start.wait()  # type: ignore[attr-defined]
    for offset in range(0, len(KEYS), 25):
        new |= insert(engine, KEYS[offset : offset + 25])
    engine.dispose()
    results.put(new)  # type: ignore[attr-defined]


def test_two_processes_inserting_the_same_events_store_each_once(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The children import this module by its importlib name, tests.store.test_events.
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Event(), spawn.Queue()
    processes = [
        spawn.Process(target=insert_keys_in_chunks, args=(database_url, start, results))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    start.set()
    new = [results.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)

    assert [process.exitcode for process in processes] == [0, 0]
    assert row_count(engine) == len(KEYS)
    assert new[0] | new[1] == {f"debugger:{key}" for key in KEYS}
    assert new[0] & new[1] == set()


def test_insert_returns_the_stored_id_of_each_new_key(engine: Engine) -> None:
    insert(engine, ["NO1"])
    with engine.begin() as conn:
        items = [make_incoming(NOW, key=f"debugger:{k}") for k in ["NO2", "NO1", "NO3", "NO2"]]
        ids = insert_events(conn, items, NOW)

    with engine.connect() as conn:
        stored = {s.id: s.event for s in list_events(conn, None, 10)}
    assert set(ids) == {"debugger:NO2", "debugger:NO3"}
    assert {stored[ids[key]] for key in ids} == {make_event(NOW)}


def test_claim_takes_events_it_is_given_instead_of_decoding_them(engine: Engine) -> None:
    insert(engine, ["NO1", "NO2"])
    with engine.connect() as conn:
        newest, oldest = list_events(conn, None, 10)
    given = StoredEvent(newest.id, newest.received_at, make_event(NOW))

    with engine.begin() as conn:
        claimed = claim_events(conn, NOW, 10, {newest.id: given})

    assert claimed == [oldest, given]


@pytest.mark.parametrize(
    "text",
    ["naïve ☎ 😀", "a lone \ud800 surrogate", 'quote " back \\ slash', "nul \x00 bell \x07"],
)
def test_event_and_headers_read_back_whatever_text_they_hold(engine: Engine, text: str) -> None:
    event = Event(source="debugger", time=NOW, error_code="11200", message=text)
    item = IncomingEvent("debugger:odd", event, "Sid=odd", {"user-agent": text})
    with engine.begin() as conn:
        insert_events(conn, [item], NOW)

    with engine.connect() as conn:
        [stored] = list_events(conn, None, 10)
        headers = conn.execute(select(events.c.headers)).scalar_one()

    assert stored.event == event
    assert json.loads(headers) == {"user-agent": text}
