from pathlib import Path

import pytest
from fakes.disk import remount, small_disk

from notifier.store.engine import make_engine
from notifier.store.health import StoreHealth
from notifier.store.migrations import migrate


def test_store_takes_writes_on_both_backends(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    try:
        assert StoreHealth(engine).problem() is None
    finally:
        engine.dispose()


def test_read_only_postgresql_session_is_not_writable(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no read-only sessions: see the read-only file system below")
    read_only = "options=-cdefault_transaction_read_only%3Don%20"
    engine = make_engine(database_url.replace("options=", read_only))
    try:
        assert StoreHealth(engine).problem() == "not writable: the database is read-only"
    finally:
        engine.dispose()


def test_sqlite_file_on_a_read_only_file_system_is_not_writable(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        engine = make_engine(f"sqlite:///{disk / 'store.db'}")
        migrate(engine)
        engine.dispose()  # closes the file: only then can the disk turn read-only
        health = StoreHealth(engine)
        remount(disk, "ro")
        try:
            problem = health.problem()
        finally:
            remount(disk, "rw")
            engine.dispose()

    assert problem == f"not writable: the database file {disk / 'store.db'} is read-only"


def test_unreachable_postgresql_is_reported_by_the_error_type() -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:9/none?connect_timeout=2")
    try:
        problem = StoreHealth(engine).problem()
    finally:
        engine.dispose()

    assert problem == "unreachable: OperationalError"
