"""Silence events (by field values, or a whole alert group) and expire silences."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import Connection

from notifier.actions.actor import ActionError, Actor
from notifier.actions.audit import record
from notifier.events import FIELD_NAMES
from notifier.pipeline.memory import load_group
from notifier.store import silences as silence_rows
from notifier.store.audit import AuditAction
from notifier.store.silences import NewSilence


def silence(
    conn: Connection,
    actor: Actor,
    matchers: Mapping[str, str],
    *,
    ends_at: datetime,
    comment: str,
    now: datetime,
    route: str | None = None,
) -> int:
    """Hold back events whose fields all equal `matchers` (on `route` only, if given) until
    `ends_at`; returns the silence's id."""
    unknown = [name for name in matchers if name not in FIELD_NAMES]
    if unknown:
        fields = ", ".join(FIELD_NAMES)
        raise ActionError(f"{unknown[0]!r} is not an event field; fields are: {fields}")
    if not matchers and route is None:
        raise ActionError("a silence needs at least one FIELD=VALUE (for example error_code=11200)")
    if ends_at <= now:
        raise ActionError(f"a silence must end after it starts, not at {ends_at.isoformat()}")
    new = NewSilence(dict(matchers), now, ends_at, comment, route, actor.who, actor.origin)
    silence_id = silence_rows.insert_silence(conn, new)
    record(conn, actor, AuditAction.SILENCE, f"silence {silence_id}", _describe(new), now)
    return silence_id


def silence_group(
    conn: Connection,
    actor: Actor,
    group_key: str,
    *,
    duration: timedelta,
    comment: str,
    now: datetime,
) -> int:
    """Silence the group's next events: its route and its group_by label values."""
    state = load_group(conn, group_key)
    if state is None:
        raise ActionError(f"no alert group {group_key!r}")
    if duration <= timedelta(0):
        raise ActionError(f"a silence needs a positive duration, not {duration}")
    return silence(
        conn,
        actor,
        state.labels,
        ends_at=now + duration,
        comment=comment,
        now=now,
        route=state.route,
    )


def expire_silence(conn: Connection, actor: Actor, silence_id: int, *, now: datetime) -> None:
    """End a silence now."""
    found = silence_rows.get_silence(conn, silence_id)
    if found is None:
        raise ActionError(f"no active silence with id {silence_id}")
    if not silence_rows.expire_silence(conn, silence_id, now):
        ended = found.ends_at.isoformat(timespec="minutes")
        raise ActionError(f"no active silence with id {silence_id}: it ended at {ended}")
    record(conn, actor, AuditAction.EXPIRE, f"silence {silence_id}", _describe(found), now)


def _describe(silence: NewSilence | silence_rows.Silence) -> str:
    matchers = " ".join(f"{name}={value}" for name, value in silence.matchers.items())
    where = f"route {silence.route} " if silence.route is not None else ""
    until = silence.ends_at.isoformat(timespec="minutes")
    return f"{where}{matchers} until {until}: {silence.comment}".replace("  ", " ")
