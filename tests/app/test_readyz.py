"""/readyz answers 503 when the store cannot take writes, saying what is wrong."""

import contextlib
import os
import sqlite3
from pathlib import Path

import pytest
from fakes.app import app_client
from fakes.disk import fill, small_disk
from fakes.events import make_incoming
from sqlalchemy import Engine, event, exc
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from starlette.testclient import TestClient

from notifier.app import Runtime
from notifier.events import utcnow
from notifier.store.events import insert_events

FULL = "not writable: database or disk is full"


def sqlite_app(
    tmp_path: Path, folder: Path | None = None
) -> contextlib.AbstractContextManager[tuple[TestClient, Runtime, Path]]:
    return app_client(tmp_path, f"sqlite:///{(folder or tmp_path) / 'store.db'}")


def store_event(engine: Engine, raw_body: str = "{}") -> None:
    with engine.begin() as conn:
        insert_events(conn, [make_incoming(utcnow(), raw_body=raw_body)], utcnow())


def test_readyz_is_ready_while_the_store_takes_writes(tmp_path: Path, database_url: str) -> None:
    with app_client(tmp_path, database_url) as (client, runtime, _rules):
        store_event(runtime.engine)

        answer = client.get("/readyz")

    assert (answer.status_code, answer.json()) == (
        200,
        {"ready": True, "store": "ok", "rules": "ok"},
    )


def test_deleted_database_file_makes_readyz_503(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with sqlite_app(tmp_path) as (client, _runtime, _rules):
        for name in ("store.db", "store.db-wal", "store.db-shm"):
            (tmp_path / name).unlink(missing_ok=True)

        answer = client.get("/readyz")

    assert answer.status_code == 503
    assert answer.json() == {
        "ready": False,
        "store": f"not writable: the database file {path} was deleted",
        "rules": "ok",
    }


def test_replaced_database_file_makes_readyz_503(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with sqlite_app(tmp_path) as (client, _runtime, _rules):
        with contextlib.closing(sqlite3.connect(tmp_path / "restored.db")) as other:
            other.execute("CREATE TABLE t (x INTEGER)")
        os.replace(tmp_path / "restored.db", path)

        answer = client.get("/readyz")

    assert answer.status_code == 503
    assert answer.json()["store"] == f"not writable: the database file {path} was replaced"


def test_store_at_sqlites_page_limit_makes_readyz_503(tmp_path: Path) -> None:
    with sqlite_app(tmp_path) as (client, runtime, _rules):
        # As if the store had filled its disk: SQLite may not grow the file by a single page.
        @event.listens_for(runtime.engine, "connect")
        def no_room(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            dbapi_connection.cursor().execute("PRAGMA max_page_count = 1")

        runtime.engine.dispose()
        with pytest.raises(exc.OperationalError, match="database or disk is full"):
            store_event(runtime.engine, raw_body="x" * 2_000_000)

        answer = client.get("/readyz")

    assert answer.status_code == 503
    assert answer.json()["store"] == f"{FULL} (SQLite's max_page_count is reached)"


def test_full_disk_makes_readyz_503_until_space_is_freed(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk, sqlite_app(tmp_path, disk) as (client, _, _):
        filler = fill(disk)
        full = client.get("/readyz")
        filler.unlink()
        freed = client.get("/readyz")

    assert full.status_code == 503
    assert full.json()["store"].startswith(f"{FULL} (")
    assert full.json()["store"].endswith(f" KiB free in {disk})")
    assert freed.status_code == 200
