"""Versioned schema migrations, applied in order by `notifier migrate`, `release` and on start.

Each version's DDL is frozen: written out here as it was when that version shipped, never
derived from `schema.py`. A store built by steps 1..N and upgraded is then the same as a fresh
one, and a column added to `schema.py` without a step here fails tests/store/test_migrations.py
(a fresh store is compared with `schema.metadata` on SQLite and PostgreSQL).

To add version N+1: write `_vN+1_what(conn)` below the last step, spelling out its tables,
columns and indexes with plain SQLAlchemy types in a `MetaData()` of its own (or raw DDL);
never import from `schema.py` here. Append it to `MIGRATIONS`, then change `schema.py` to
match. Anything that differs between SQLite and PostgreSQL is decided inside the step, by
`conn.dialect.name`, with a comment saying why.

Frozen DDL rather than Alembic: the store has linear versions, two backends and no
downgrades; frozen steps keep those version numbers (so stores at 1..8 upgrade with no stamping),
add no dependency and no second migration runner beside `current_version`, and the test above
is what catches drift, which Alembic's autogenerate would only catch when someone runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    inspect,
    select,
    text,
)

Migration = Callable[[Connection], None]

# SQLite only auto-increments a plain INTEGER PRIMARY KEY.
_ID = BigInteger().with_variant(Integer(), "sqlite")

_schema_version = Table(
    "schema_version",
    MetaData(),
    Column("version", Integer, nullable=False),
)


class Migrated(NamedTuple):
    """The store's schema version before and after `migrate`; 0 before: a new store."""

    before: int
    after: int


def _v1_events(conn: Connection) -> None:
    events = Table(
        "events",
        MetaData(),
        Column("id", _ID, primary_key=True, autoincrement=True),
        Column("dedup_key", String(255), nullable=False, unique=True),
        Column("source", String(32), nullable=False),
        Column("received_at", DateTime, nullable=False),
        Column("time", DateTime, nullable=False),
        Column("level", String(16), nullable=False),
        Column("error_code", String(16)),
        Column("account_sid", String(64)),
        Column("resource_sid", String(64)),
        Column("data", Text, nullable=False),
        Column("raw_body", Text, nullable=False),
        Column("headers", Text, nullable=False),
        Column("processed_at", DateTime),
        Column("lease_until", DateTime),
        Column("attempts", Integer, nullable=False),
    )
    pending = events.c.processed_at.is_(None)
    Index("ix_events_pending", events.c.id, postgresql_where=pending, sqlite_where=pending)
    Index("ix_events_received_at", events.c.received_at)
    events.create(conn)


def _v2_pipeline(conn: Connection) -> None:
    metadata = MetaData()
    outcomes = Table(
        "event_outcomes",
        metadata,
        Column("id", _ID, primary_key=True, autoincrement=True),
        Column("event_id", BigInteger, nullable=False, index=True),
        Column("route", String(200)),
        Column("outcome", String(32), nullable=False),
        Column("group_key", String(1000)),
        Column("time", DateTime, nullable=False, index=True),
    )
    groups = Table(
        "groups",
        metadata,
        Column("key", String(1000), primary_key=True),
        Column("route", String(200), nullable=False),
        Column("state", Text, nullable=False),
        Column("due_at", DateTime, index=True),
    )
    silences = Table(
        "silences",
        metadata,
        Column("id", _ID, primary_key=True, autoincrement=True),
        Column("matchers", Text, nullable=False),
        Column("starts_at", DateTime, nullable=False),
        Column("ends_at", DateTime, nullable=False, index=True),
        Column("comment", Text, nullable=False),
        Column("expired_at", DateTime),
    )
    marks = Table(
        "inhibit_marks",
        metadata,
        Column("rule", String(64), primary_key=True),
        Column("equal_key", String(1000), primary_key=True),
        Column("last_seen", DateTime, nullable=False),
    )
    notifications = Table(
        "notifications",
        metadata,
        Column("id", _ID, primary_key=True, autoincrement=True),
        Column("route", String(200), nullable=False),
        Column("receiver", String(200), nullable=False),
        Column("reason", String(32), nullable=False),
        Column("group_key", String(1000), nullable=False),
        Column("cycle", Integer, nullable=False),
        Column("notice", Text, nullable=False),
        Column("status", String(16), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("last_error", Text),
        Column("created_at", DateTime, nullable=False),
        Column("next_attempt_at", DateTime, nullable=False),
        Column("lease_until", DateTime),
        Column("sent_at", DateTime),
    )
    Index("ix_notifications_pending", notifications.c.status, notifications.c.next_attempt_at)
    for table in (outcomes, groups, silences, marks, notifications):
        table.create(conn)


def _v3_digests(conn: Connection) -> None:
    metadata = MetaData()
    Table(
        "digest_runs",
        metadata,
        Column("id", _ID, primary_key=True, autoincrement=True),
        Column("digest", String(200), nullable=False),
        Column("period_start", DateTime, nullable=False),
        Column("period_end", DateTime, nullable=False),
        Column("claimed_at", DateTime, nullable=False),
        Column("late", Integer, nullable=False),
        UniqueConstraint("digest", "period_start", name="uq_digest_runs_period"),
    ).create(conn)
    # IF NOT EXISTS: stores created by v5-era code had it from their v1 already.
    _create_index(conn, "ix_events_code_received", "events", "error_code", "received_at")


def _v4_message_refs(conn: Connection) -> None:
    Table(
        "message_refs",
        MetaData(),
        Column("receiver", String(200), primary_key=True),
        Column("group_key", String(1000), primary_key=True),
        Column("cycle", Integer, primary_key=True, autoincrement=False),
        Column("ref", String(200), nullable=False),
    ).create(conn)


def _v5_channel_pace(conn: Connection) -> None:
    Table(
        "channel_pace",
        MetaData(),
        Column("channel_key", String(300), primary_key=True),
        Column("next_at", DateTime, nullable=False),
    ).create(conn)


def _v6_digest_indexes(conn: Connection) -> None:
    # Index-only digest queries (a daily digest over 1,000,000 events in under 3 s).
    _create_index(
        conn,
        "ix_events_digest_keys",
        "events",
        "source",
        "level",
        "error_code",
        "account_sid",
        "received_at",
    )
    _create_index(
        conn, "ix_events_digest_codes", "events", "error_code", "received_at", "resource_sid"
    )
    _create_index(conn, "ix_event_outcomes_digest", "event_outcomes", "route", "outcome", "time")
    conn.execute(text("DROP INDEX IF EXISTS ix_events_code_received"))


def _v7_sqlite_outcome_time_index(conn: Connection) -> None:
    # Redundant on SQLite (see schema.ix_event_outcomes_time); PostgreSQL keeps it.
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP INDEX IF EXISTS ix_event_outcomes_time"))


def _v8_slack_channel_ids(conn: Connection) -> None:
    # Slack refuses channel names in chat.update (slackapi/python-slack-sdk#696): keep IDs.
    timestamp = DateTime().compile(dialect=conn.dialect)
    conn.execute(text("ALTER TABLE message_refs ADD COLUMN channel VARCHAR(200)"))
    conn.execute(text(f"ALTER TABLE notifications ADD COLUMN claimed_at {timestamp}"))
    conn.execute(text(f"ALTER TABLE notifications ADD COLUMN in_doubt_since {timestamp}"))
    Table(
        "slack_channels",
        MetaData(),
        Column("name", String(300), primary_key=True),
        Column("channel_id", String(200), nullable=False),
    ).create(conn)


def _v9_unbounded_event_fields(conn: Connection) -> None:
    # Twilio's fields are unbounded: a signed event must never be refused for a long value.
    # v1 bounded them, and stores created before that changed (in schema.py only) still refuse
    # e.g. an error_code over 16 characters on PostgreSQL. VARCHAR to TEXT rewrites nothing
    # there. SQLite enforces no length, and changing a declared type would copy the table, so
    # its stores keep v1's VARCHAR(n) declarations (TEXT affinity, as TEXT has).
    if conn.dialect.name == "postgresql":
        columns = ("source", "level", "error_code", "account_sid", "resource_sid")
        changes = ", ".join(f"ALTER COLUMN {name} TYPE TEXT" for name in columns)
        conn.execute(text(f"ALTER TABLE events {changes}"))


def _v10_notification_channels(conn: Connection) -> None:
    # A receiver may hold several channels: one notification per receiver channel, named by
    # its key ("slack:#alerts", "email:a@b.c"). NULL in rows stored before: the first channel.
    conn.execute(text("ALTER TABLE notifications ADD COLUMN channel VARCHAR(300)"))


def _v11_actions(conn: Connection) -> None:
    # Acting on alerts (Slack, the console, the CLI): who did what, a silence's route and
    # author, and a group's acknowledgement (for one cycle: a new cycle is not acknowledged).
    timestamp = DateTime().compile(dialect=conn.dialect)
    Table(
        "audit",
        MetaData(),
        Column("id", _ID, primary_key=True, autoincrement=True),
        Column("at", DateTime, nullable=False),
        Column("origin", String(16), nullable=False),
        Column("who", Text, nullable=False),
        Column("action", String(32), nullable=False),
        Column("target", Text, nullable=False),
        Column("detail", Text, nullable=False),
    ).create(conn)
    for column in ("route VARCHAR(200)", "created_by TEXT", "origin VARCHAR(16)"):
        conn.execute(text(f"ALTER TABLE silences ADD COLUMN {column}"))
    acknowledged = (
        "acknowledged_by TEXT",
        f"acknowledged_at {timestamp}",
        "acknowledged_cycle INTEGER",
    )
    for column in acknowledged:
        conn.execute(text(f"ALTER TABLE groups ADD COLUMN {column}"))


def _v12_console_indexes(conn: Connection) -> None:
    # The web console's keyset pages: a group's events and notices newest first, and
    # notifications by status newest first, each read in index order, never sorted or skipped.
    _create_index(conn, "ix_event_outcomes_group", "event_outcomes", "group_key", "event_id")
    _create_index(conn, "ix_notifications_group", "notifications", "group_key", "id")
    _create_index(conn, "ix_notifications_status_id", "notifications", "status", "id")
    # The overview counts the last day's events by source and level from this index alone
    # (a range of received_at), not by reading each row; it replaces ix_events_received_at,
    # its prefix, so ingest maintains no more indexes than before.
    _create_index(
        conn, "ix_events_received_source_level", "events", "received_at", "source", "level"
    )
    conn.execute(text("DROP INDEX IF EXISTS ix_events_received_at"))


def _create_index(conn: Connection, name: str, table: str, *columns: str) -> None:
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})"))


MIGRATIONS: tuple[Migration, ...] = (
    _v1_events,
    _v2_pipeline,
    _v3_digests,
    _v4_message_refs,
    _v5_channel_pace,
    _v6_digest_indexes,
    _v7_sqlite_outcome_time_index,
    _v8_slack_channel_ids,
    _v9_unbounded_event_fields,
    _v10_notification_channels,
    _v11_actions,
    _v12_console_indexes,
)


def stored_version(conn: Connection) -> int:
    """The store's schema version, creating nothing (`doctor`): 0 for a store never migrated."""
    if not inspect(conn).has_table(_schema_version.name):
        return 0
    return int(conn.execute(select(func.max(_schema_version.c.version))).scalar() or 0)


def current_version(conn: Connection) -> int:
    _schema_version.create(conn, checkfirst=True)
    version = conn.execute(select(func.max(_schema_version.c.version))).scalar()
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
        conn.execute(insert(_schema_version).values(version=number))
    return Migrated(version, max(version, target))
