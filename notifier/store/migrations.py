"""Versioned schema migrations, applied in order by `release` and on start."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import Connection, Engine, Table, func, insert, inspect, select, text

from notifier.store import schema

Migration = Callable[[Connection], None]


class Migrated(NamedTuple):
    """The store's schema version before and after `migrate`; 0 before: a new store."""

    before: int
    after: int


def _v1_events(conn: Connection) -> None:
    schema.events.create(conn)


def _v2_pipeline(conn: Connection) -> None:
    for table in (
        schema.event_outcomes,
        schema.groups,
        schema.silences,
        schema.inhibit_marks,
        schema.notifications,
    ):
        table.create(conn)


def _v3_digests(conn: Connection) -> None:
    schema.digest_runs.create(conn)
    # New stores already have it: v1 creates `events` with every index the table now declares.
    schema.ix_events_digest_codes.create(conn, checkfirst=True)


def _v4_message_refs(conn: Connection) -> None:
    schema.message_refs.create(conn)


def _v5_channel_pace(conn: Connection) -> None:
    schema.channel_pace.create(conn)


def _v6_digest_indexes(conn: Connection) -> None:
    # Index-only digest queries (a daily digest over 1,000,000 events in under 3 s).
    for index in (
        schema.ix_events_digest_keys,
        schema.ix_events_digest_codes,
        schema.ix_event_outcomes_digest,
    ):
        index.create(conn, checkfirst=True)
    conn.execute(text("DROP INDEX IF EXISTS ix_events_code_received"))


def _v7_sqlite_outcome_time_index(conn: Connection) -> None:
    # Redundant on SQLite (see schema.ix_event_outcomes_time); PostgreSQL keeps it.
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP INDEX IF EXISTS ix_event_outcomes_time"))


def _v8_slack_channel_ids(conn: Connection) -> None:
    # Slack refuses channel names in chat.update (slackapi/python-slack-sdk#696): keep IDs.
    _add_columns(conn, schema.message_refs, "channel")
    _add_columns(conn, schema.notifications, "claimed_at", "in_doubt_since")
    schema.slack_channels.create(conn)


def _add_columns(conn: Connection, table: Table, *names: str) -> None:
    # New stores already have them: earlier steps create tables as they are declared now.
    present = {column["name"] for column in inspect(conn).get_columns(table.name)}
    for name in (name for name in names if name not in present):
        kind = table.c[name].type.compile(dialect=conn.dialect)
        conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}"))


MIGRATIONS: tuple[Migration, ...] = (
    _v1_events,
    _v2_pipeline,
    _v3_digests,
    _v4_message_refs,
    _v5_channel_pace,
    _v6_digest_indexes,
    _v7_sqlite_outcome_time_index,
    _v8_slack_channel_ids,
)


def current_version(conn: Connection) -> int:
    schema.schema_version.create(conn, checkfirst=True)
    version = conn.execute(select(func.max(schema.schema_version.c.version))).scalar()
    return int(version or 0)


def migrate(engine: Engine) -> Migrated:
    """Bring the store to the latest schema; safe when several processes start at once."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Serialise concurrent starts; released at commit.
            conn.execute(text("SELECT pg_advisory_xact_lock(7274)"))
        return upgrade(conn, len(MIGRATIONS))


def upgrade(conn: Connection, target: int) -> Migrated:
    """Apply the migrations after the store's version, up to version `target`."""
    version = current_version(conn)
    for number, step in enumerate(MIGRATIONS[version:target], start=version + 1):
        step(conn)
        conn.execute(insert(schema.schema_version).values(version=number))
    return Migrated(version, max(version, target))
