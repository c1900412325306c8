"""Tables of the store. Times are stored as naive UTC and read back as aware UTC."""

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
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


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
    # Twilio's identity of the event (Sid, idempotency token, CloudEvent id): redeliveries collide.
    Column("dedup_key", String(255), nullable=False, unique=True),
    Column("source", String(32), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("time", UTCDateTime, nullable=False),
    Column("level", String(16), nullable=False),
    Column("error_code", String(16)),
    Column("account_sid", String(64)),
    Column("resource_sid", String(64)),
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
Index("ix_events_received_at", events.c.received_at)
