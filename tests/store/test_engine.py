import time
from pathlib import Path

from sqlalchemy import text

from notifier.store.engine import make_engine, normalise_url, read_only
from notifier.store.migrations import migrate


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


def test_paas_postgres_urls_use_psycopg_3() -> None:
    url = normalise_url("postgres://user:secret@db.example.com:5432/app")

    assert url == "postgresql+psycopg://user:secret@db.example.com:5432/app"
