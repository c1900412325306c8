"""The `silences` table: matchers that hold back alerts for a while (`notifier silence`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from notifier.store.audit import Origin
from notifier.store.schema import silences


@dataclass(frozen=True, slots=True)
class Silence:
    """A silence as stored; `notifier.pipeline.suppress.covers` decides what it holds back."""

    id: int
    matchers: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    comment: str
    route: str | None = None  # only this route's events; None: every route's
    created_by: str | None = None  # None: made before who was recorded (schema 11)
    origin: Origin | None = None
    expired_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewSilence:
    matchers: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    comment: str
    route: str | None = None
    created_by: str | None = None
    origin: Origin | None = None


def active_silences(conn: Connection, now: datetime) -> list[Silence]:
    query = select(silences).where(silences.c.ends_at > now).where(silences.c.expired_at.is_(None))
    return [_silence(row) for row in conn.execute(query.order_by(silences.c.id))]


def all_silences(conn: Connection) -> list[Silence]:
    return [_silence(row) for row in conn.execute(select(silences).order_by(silences.c.id))]


def get_silence(conn: Connection, silence_id: int) -> Silence | None:
    row = conn.execute(select(silences).where(silences.c.id == silence_id)).first()
    return None if row is None else _silence(row)


def add_silence(
    conn: Connection, matchers: dict[str, str], starts_at: datetime, ends_at: datetime, comment: str
) -> int:
    return insert_silence(conn, NewSilence(matchers, starts_at, ends_at, comment))


def insert_silence(conn: Connection, new: NewSilence) -> int:
    values = {
        "matchers": json.dumps(new.matchers),
        "starts_at": new.starts_at,
        "ends_at": new.ends_at,
        "comment": new.comment,
        "route": new.route,
        "created_by": new.created_by,
        "origin": None if new.origin is None else new.origin.value,
    }
    return int(
        conn.execute(insert(silences).values(**values).returning(silences.c.id)).scalar_one()
    )


def expire_silence(conn: Connection, silence_id: int, now: datetime) -> bool:
    """End a silence now; False if there is no such silence or it had already ended."""
    result = conn.execute(
        update(silences)
        .where(silences.c.id == silence_id)
        .where(silences.c.ends_at > now)
        .values(ends_at=now, expired_at=now)
    )
    return result.rowcount == 1


def _silence(row: Any) -> Silence:
    return Silence(
        row.id,
        json.loads(row.matchers),
        row.starts_at,
        row.ends_at,
        row.comment,
        route=row.route,
        created_by=row.created_by,
        origin=None if row.origin is None else Origin(row.origin),
        expired_at=row.expired_at,
    )
