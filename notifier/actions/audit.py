"""The record of every action: written in the action's own transaction, read newest first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from notifier.actions.actor import ActionError, Actor
from notifier.store import audit as audit_rows
from notifier.store.audit import AuditAction, AuditEntry

MAX_LIMIT = 1000


def record(
    conn: Connection, actor: Actor, action: AuditAction, target: str, detail: str, now: datetime
) -> int:
    return audit_rows.record(conn, (now, actor.origin, actor.who, action, target, detail))


def audit_entries(
    conn: Connection, *, limit: int = 100, before_id: int | None = None
) -> list[AuditEntry]:
    """The newest `limit` actions (before `before_id`, to page on), newest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ActionError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    return audit_rows.entries(conn, limit=limit, before_id=before_id)
