"""The `audit` table: every action taken on alerts, by whom, from where and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, insert, select

from notifier.store.schema import audit


class Origin(StrEnum):
    """Where an action came from."""

    CLI = "cli"
    SLACK = "slack"
    CONSOLE = "console"


class AuditAction(StrEnum):
    SILENCE = "silence"
    EXPIRE = "expire"
    ACKNOWLEDGE = "acknowledge"
    UNACKNOWLEDGE = "unacknowledge"
    REPLAY = "replay"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    origin: Origin
    who: str
    action: AuditAction
    target: str  # "silence 12", "group <key>", "notification 5"
    detail: str  # the comment, the matchers, the ids: what a reader needs to follow it


def record(
    conn: Connection,
    entry: tuple[datetime, Origin, str, AuditAction, str, str],
) -> int:
    """Add one row (at, origin, who, action, target, detail); the caller's transaction holds
    the action it records."""
    at, origin, who, action, target, detail = entry
    values = {
        "at": at,
        "origin": origin.value,
        "who": who,
        "action": action.value,
        "target": target,
        "detail": detail,
    }
    return int(conn.execute(insert(audit).values(**values).returning(audit.c.id)).scalar_one())


def entries(conn: Connection, *, limit: int, before_id: int | None = None) -> list[AuditEntry]:
    """Newest first; `before_id` pages on (keyset, never OFFSET)."""
    query = select(audit).order_by(audit.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(audit.c.id < before_id)
    return [_entry(row) for row in conn.execute(query)]


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        row.id, row.at, Origin(row.origin), row.who, AuditAction(row.action), row.target, row.detail
    )
