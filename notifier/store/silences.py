"""The `silences` table: matchers that hold back alerts for a while (`notifier silence`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from notifier.store.schema import silences


@dataclass(frozen=True, slots=True)
class Silence:
    """A silence as stored; `notifier.pipeline.suppress.covers` decides what it holds back."""

    id: int
    matchers: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    comment: str


def active_silences(conn: Connection, now: datetime) -> list[Silence]:
    query = select(silences).where(silences.c.ends_at > now).where(silences.c.expired_at.is_(None))
    return [_silence(row) for row in conn.execute(query.order_by(silences.c.id))]


def all_silences(conn: Connection) -> list[Silence]:
    return [_silence(row) for row in conn.execute(select(silences).order_by(silences.c.id))]


def add_silence(
    conn: Connection, matchers: dict[str, str], starts_at: datetime, ends_at: datetime, comment: str
) -> int:
    values = {
        "matchers": json.dumps(matchers),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "comment": comment,
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
    return Silence(row.id, json.loads(row.matchers), row.starts_at, row.ends_at, row.comment)
