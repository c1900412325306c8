"""Frozen migrations: every earlier version upgrades to the fresh schema, which is schema.py's."""

import os
import pathlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.types import TypeEngine

from notifier.events import Event, utcnow
from notifier.store import schema
from notifier.store.engine import make_engine, normalise_url
from notifier.store.events import IncomingEvent, get_event, insert_events
from notifier.store.migrations import MIGRATIONS, current_version, migrate, upgrade

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
LATEST = len(MIGRATIONS)

NewStore = Callable[[], Engine]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_store(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[NewStore]:
    """Makes empty stores on one backend: SQLite files, or PostgreSQL schemas of their own."""
    engines: list[Engine] = []
    schemas: list[str] = []
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set")
    admin = create_engine(normalise_url(POSTGRES_URL)) if request.param == "postgres" else None

    def make() -> Engine:
        if admin is None:
            url = f"sqlite:///{tmp_path / f'store-{len(engines)}.db'}"
        else:
            name = f"test_{uuid.uuid4().hex[:12]}"
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {name}"))
            schemas.append(name)
            separator = "&" if "?" in POSTGRES_URL else "?"
            url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{name}"
        engines.append(make_engine(url))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()
    if admin is not None:
        with admin.begin() as conn:
            for name in schemas:
                conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


# SQLite keeps a column's declared type but stores by its affinity (sqlite.org/datatype3.html,
# 3.1): VARCHAR(16) and TEXT hold the same values, and v1's bounded declarations stay on SQLite.
def _sqlite_affinity(declared: str) -> str:
    declared = declared.upper()
    if "INT" in declared:
        return "INTEGER"
    if any(kind in declared for kind in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in declared or not declared:
        return "BLOB"
    if any(kind in declared for kind in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def reflect(conn: Connection, *, affinity: bool = False) -> dict[str, Any]:
    """What the store's schema is made of, in a form two stores can be compared by."""
    inspector = inspect(conn)

    def kind(type_: TypeEngine[Any]) -> str:
        compiled = type_.compile(dialect=conn.dialect)
        return _sqlite_affinity(compiled) if affinity else compiled

    tables: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        columns = {
            column["name"]: (kind(column["type"]), column["nullable"], column.get("default"))
            for column in inspector.get_columns(table)
        }
        indexes = {
            index["name"]: (
                tuple(index["column_names"]),
                bool(index["unique"]),
                sorted((k, str(v)) for k, v in (index.get("dialect_options") or {}).items()),
            )
            for index in inspector.get_indexes(table)
        }
        uniques = sorted(
            tuple(unique["column_names"]) for unique in inspector.get_unique_constraints(table)
        )
        primary = tuple(inspector.get_pk_constraint(table)["constrained_columns"])
        tables[table] = {
            "columns": columns,
            "primary key": primary,
            "indexes": indexes,
            "unique": uniques,
        }
    return tables


def schema_of(engine: Engine, *, affinity: bool = False) -> dict[str, Any]:
    with engine.connect() as conn:
        return reflect(conn, affinity=affinity)


@pytest.mark.parametrize("version", range(1, LATEST), ids=lambda version: f"from-v{version}")
def test_a_store_from_every_earlier_version_upgrades_to_the_fresh_schema(
    new_store: NewStore, version: int
) -> None:
    old, fresh = new_store(), new_store()
    with old.begin() as conn:
        upgrade(conn, version)

    assert migrate(old) == (version, LATEST)
    migrate(fresh)

    assert schema_of(old) == schema_of(fresh)


def test_a_fresh_store_has_the_schema_the_queries_are_written_for(new_store: NewStore) -> None:
    migrated, declared = new_store(), new_store()
    migrate(migrated)
    with declared.begin() as conn:
        schema.metadata.create_all(conn)

    # Server defaults differ (PostgreSQL's identity sequences are named after how they came);
    # columns, types, nullability, keys and indexes must not.
    affinity = migrated.dialect.name == "sqlite"
    assert _without_defaults(schema_of(migrated, affinity=affinity)) == _without_defaults(
        schema_of(declared, affinity=affinity)
    )


def _without_defaults(tables: dict[str, Any]) -> dict[str, Any]:
    for table in tables.values():
        table["columns"] = {name: spec[:2] for name, spec in table["columns"].items()}
    return tables


def test_migrating_twice_changes_nothing(new_store: NewStore) -> None:
    store = new_store()
    assert migrate(store) == (0, LATEST)
    before = schema_of(store)

    assert migrate(store) == (LATEST, LATEST)

    assert schema_of(store) == before


def test_a_v1_store_takes_long_twilio_values_once_upgraded(new_store: NewStore) -> None:
    store = new_store()
    with store.begin() as conn:
        upgrade(conn, 1)
    migrate(store)
    long_code = "E" * 300  # v1 declared error_code VARCHAR(16)
    event = Event(source="debugger", time=utcnow(), error_code=long_code, account_sid="A" * 100)

    with store.begin() as conn:
        ids = insert_events(conn, [IncomingEvent("k1", event, "{}", {})], utcnow())
        stored = get_event(conn, ids["k1"])
        assert current_version(conn) == LATEST

    assert stored is not None
    assert stored.event.error_code == long_code
