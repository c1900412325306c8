import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from notifier.store.engine import checkpoint, make_engine, normalise_url, read_only, sqlite_time
from notifier.store.migrations import migrate
from notifier.store.schema import UTCDateTime

OFFSETS = st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))


def test_an_open_sqlite_reader_does_not_hold_back_a_writer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    try:
        with read_only(engine).connect() as reader:
            reader.execute(text("SELECT count(*) FROM events")).scalar_one()  # a read is open
            started = time.monotonic()
            with engine.begin() as writer:
                writer.execute(text("CREATE TABLE probe (x INTEGER)"))
            waited = time.monotonic() - started
    finally:
        engine.dispose()

    assert waited < 1.0


def test_a_new_sqlite_store_has_8_kib_pages(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    engine.dispose()

    with sqlite3.connect(tmp_path / "store.db") as conn:
        assert conn.execute("PRAGMA page_size").fetchone() == (8192,)


def test_an_existing_sqlite_store_keeps_its_page_size_and_works(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with sqlite3.connect(path) as conn:  # as SQLite's default made it
        conn.execute("PRAGMA page_size=4096")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE probe (x INTEGER)")
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO probe VALUES (1)"))
        stored = conn.execute(text("SELECT count(*) FROM probe")).scalar_one()
    engine.dispose()

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA page_size").fetchone() == (4096,)
    assert stored == 1


def test_an_in_memory_sqlite_store_works() -> None:
    engine = make_engine("sqlite://")
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe (x INTEGER)"))
        conn.execute(text("INSERT INTO probe VALUES (1)"))
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM probe")).scalar_one()
    engine.dispose()

    assert stored == 1


def test_paas_postgres_urls_use_psycopg_3() -> None:
    url = normalise_url("postgres://user:secret@db.example.com:5432/app")

    assert url == "postgresql+psycopg://user:secret@db.example.com:5432/app"


def committed_rows_in_database_file(path: Path) -> int:
    """Rows of `probe` in the database file itself, ignoring the WAL (immutable mode)."""
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM probe").fetchone()[0])


def test_checkpoint_copies_committed_rows_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE probe (x INTEGER)"))
        checkpoint(engine)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO probe VALUES (1), (2), (3)"))
        before = committed_rows_in_database_file(path)
        checkpoint(engine)
        after = committed_rows_in_database_file(path)
    finally:
        engine.dispose()

    assert (before, after) == (0, 3)


def test_writers_in_threads_of_one_process_take_turns_without_errors(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe (x INTEGER)"))
    errors: list[BaseException] = []

    def write(start: int) -> None:
        try:
            for x in range(start, start + 50):
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO probe VALUES (:x)"), {"x": x})
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n * 100,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(DISTINCT x) FROM probe")).scalar_one()
    engine.dispose()

    assert (errors, count) == ([], 200)


@given(
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)),
    OFFSETS.map(timezone),
)
def test_sqlite_time_is_the_text_sqlalchemy_stores(moment: datetime, zone: timezone) -> None:
    aware = moment.replace(tzinfo=zone)
    dialect = sqlite.dialect()
    bind = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert bind is not None

    assert sqlite_time(aware) == bind(aware)
