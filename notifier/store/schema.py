"""Tables of the store. Times are stored as naive UTC and read back as aware UTC.

The queries' view of the schema: change a table here only with a new step in migrations.py,
which writes out its own DDL; tests/store/test_migrations.py fails when the two differ.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else naive_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def naive_utc(value: datetime) -> datetime:
    """An aware datetime as the store keeps it: in UTC, without its zone."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store")
    return value.astimezone(UTC).replace(tzinfo=None)


# SQLite only auto-increments a plain INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    # Twilio's fields are unbounded text: a signed event is never refused for a long value.
    # (Schema v9; SQLite stores keep v1's VARCHAR(n) declarations, which it never enforces.)
    # Twilio's identity of the event (Sid, idempotency token, CloudEvent id): redeliveries collide.
    Column("dedup_key", String(255), nullable=False, unique=True),
    Column("source", Text, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("time", UTCDateTime, nullable=False),
    Column("level", Text, nullable=False),
    Column("error_code", Text),
    Column("account_sid", Text),
    Column("resource_sid", Text),
    Column("data", Text, nullable=False),
    Column("raw_body", Text, nullable=False),
    Column("headers", Text, nullable=False),
    Column("processed_at", UTCDateTime),
    Column("lease_until", UTCDateTime),
    Column("attempts", Integer, nullable=False, default=0),
)
Index(
    "ix_events_pending",
    events.c.id,
    postgresql_where=events.c.processed_at.is_(None),
    sqlite_where=events.c.processed_at.is_(None),
)
# Retention and `notifier events` read a range of received_at from it; the console's overview
# counts the last day by source and level from it alone (schema 12; before, on received_at only).
Index("ix_events_received_source_level", events.c.received_at, events.c.source, events.c.level)

# What the pipeline decided for each event on each route (digests and metrics count these).
event_outcomes = Table(
    "event_outcomes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", BigInteger, nullable=False, index=True),
    Column("route", String(200)),
    Column("outcome", String(32), nullable=False),
    Column("group_key", String(1000)),
    Column("time", UTCDateTime, nullable=False),
)
# An unscoped digest counts outcomes by time. SQLite reads them from ix_event_outcomes_digest
# alone (a skip scan over its few routes and outcomes), so there this index would only cost
# every event an insert; PostgreSQL 15 cannot skip-scan and needs it on a long history.
ix_event_outcomes_time = Index("ix_event_outcomes_time", event_outcomes.c.time).ddl_if(
    dialect="postgresql"
)

# One row per alert group: its whole lifecycle state (see notifier.pipeline.groups).
groups = Table(
    "groups",
    metadata,
    Column("key", String(1000), primary_key=True),
    Column("route", String(200), nullable=False),
    Column("state", Text, nullable=False),
    Column("due_at", UTCDateTime, index=True),
    # Who acknowledged the group, when, and for which cycle: repeats stop for that cycle only
    # (schema 11; the pipeline writes the other columns and never these).
    Column("acknowledged_by", Text),
    Column("acknowledged_at", UTCDateTime),
    Column("acknowledged_cycle", Integer),
)

silences = Table(
    "silences",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("matchers", Text, nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False, index=True),
    Column("comment", Text, nullable=False),
    Column("expired_at", UTCDateTime),
    # Schema 11: a silence made for a group holds that route's events only (NULL: every
    # route), and who made it from where (NULL in older rows: the CLI, before it was recorded).
    Column("route", String(200)),
    Column("created_by", Text),
    Column("origin", String(16)),
)

# Every action taken on alerts (silence, expire, acknowledge, replay), from any origin.
audit = Table(
    "audit",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("origin", String(16), nullable=False),
    Column("who", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False),
)

# The last time an event matching an [[inhibit]] `when` fired, per rule and `equal` values.
inhibit_marks = Table(
    "inhibit_marks",
    metadata,
    Column("rule", String(64), primary_key=True),
    Column("equal_key", String(1000), primary_key=True),
    Column("last_seen", UTCDateTime, nullable=False),
)

# The outbox: one delivery of one notice to one receiver.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("route", String(200), nullable=False),
    Column("receiver", String(200), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("group_key", String(1000), nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("notice", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("lease_until", UTCDateTime),
    Column("sent_at", UTCDateTime),
    # When the current attempt was claimed, and since when an earlier attempt's outcome is
    # unknown (its worker died or its request timed out): a Slack post looks for it first.
    Column("claimed_at", UTCDateTime),
    Column("in_doubt_since", UTCDateTime),
    # The key of the receiver's channel (schema 10); NULL in older rows: its first channel.
    Column("channel", String(300)),
)
Index("ix_notifications_pending", notifications.c.status, notifications.c.next_attempt_at)

# One row per digest and period: the unique key is the exactly-once claim of a scheduled run.
digest_runs = Table(
    "digest_runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("digest", String(200), nullable=False),
    Column("period_start", UTCDateTime, nullable=False),
    Column("period_end", UTCDateTime, nullable=False),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("late", Integer, nullable=False, default=0),
    UniqueConstraint("digest", "period_start", name="uq_digest_runs_period"),
)

# The Slack message (its `ts`) posted for a group's cycle on a receiver: edits and thread
# replies of the same cycle go to it.
message_refs = Table(
    "message_refs",
    metadata,
    Column("receiver", String(200), primary_key=True),
    Column("group_key", String(1000), primary_key=True),
    Column("cycle", Integer, primary_key=True, autoincrement=False),
    Column("ref", String(200), nullable=False),
    # The channel ID Slack answered with; NULL in rows stored before schema version 8.
    Column("channel", String(200)),
)

# Channel IDs Slack answered for the channel names of rules.toml: conversations.history takes
# only an ID, and a retry may need it before this cycle's message is known.
slack_channels = Table(
    "slack_channels",
    metadata,
    Column("name", String(300), primary_key=True),
    Column("channel_id", String(200), nullable=False),
)

# When each Slack channel (or webhook receiver) may take its next message: one a second, or
# later after a 429. Every worker reads and moves it, so the pace holds across processes.
channel_pace = Table(
    "channel_pace",
    metadata,
    Column("channel_key", String(300), primary_key=True),
    Column("next_at", UTCDateTime, nullable=False),
)

# Digests count a period's events per (source, level, error_code, account_sid) from this index
# alone, in one pass (a skip scan: those have few distinct values, each a range of received_at),
# and list the period's usage triggers and alarms.
ix_events_digest_keys = Index(
    "ix_events_digest_keys",
    events.c.source,
    events.c.level,
    events.c.error_code,
    events.c.account_sid,
    events.c.received_at,
)
# Per code: "seen before the period?", first/last seen and top resources, each read from this
# index alone (it replaces ix_events_code_received, its prefix).
ix_events_digest_codes = Index(
    "ix_events_digest_codes",
    events.c.error_code,
    events.c.received_at,
    events.c.resource_sid,
)
# Digests count outcomes per route and outcome by the outcome's time, from this index alone.
ix_event_outcomes_digest = Index(
    "ix_event_outcomes_digest",
    event_outcomes.c.route,
    event_outcomes.c.outcome,
    event_outcomes.c.time,
)
# The web console's keyset pages (schema 12): a group's events and notices, notifications by
# status, each newest first in index order.
Index("ix_event_outcomes_group", event_outcomes.c.group_key, event_outcomes.c.event_id)
Index("ix_notifications_group", notifications.c.group_key, notifications.c.id)
Index("ix_notifications_status_id", notifications.c.status, notifications.c.id)
