"""Group state, silences, inhibit marks and per-event outcomes: the pipeline's memory."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text, update

from notifier.events import Event, parse_time
from notifier.pipeline.groups import GroupState, Phase
from notifier.pipeline.suppress import Silence
from notifier.store.engine import driver_insert, sqlite_time, upsert
from notifier.store.schema import event_outcomes, groups, inhibit_marks, silences

_TIMES = (
    "first_seen",
    "last_seen",
    "opened_at",
    "touched_at",
    "notified_at",
    "repeat_at",
    "flush_at",
)


def state_to_json(state: GroupState) -> str:
    data: dict[str, Any] = {
        "key": state.key,
        "route": state.route,
        "labels": state.labels,
        "phase": state.phase.value,
        "cycle": state.cycle,
        "count": state.event_count,
        "notified_count": state.notified_count,
        "repeat_count": state.repeat_count,
        "last_event": state.last_event.to_json(),
        "recent": [moment.isoformat() for moment in state.recent],
    }
    for name in _TIMES:
        value = getattr(state, name)
        data[name] = value.isoformat() if value else None
    return json.dumps(data, separators=(",", ":"))


def state_from_json(text: str) -> GroupState:
    data = json.loads(text)
    times = {name: parse_time(data[name]) if data[name] else None for name in _TIMES}
    return GroupState(
        key=data["key"],
        route=data["route"],
        labels=data["labels"],
        phase=Phase(data["phase"]),
        cycle=data["cycle"],
        event_count=data["count"],
        last_event=Event.from_json(data["last_event"]),
        notified_count=data["notified_count"],
        repeat_count=data["repeat_count"],
        recent=tuple(parse_time(moment) for moment in data["recent"]),
        **times,  # type: ignore[arg-type]
    )


def lock_groups(conn: Connection, keys: Iterable[str]) -> dict[str, GroupState]:
    """Load and lock the groups a batch touches (sorted, so two workers never deadlock)."""
    ordered = sorted(set(keys))
    if not ordered:
        return {}
    if conn.dialect.name == "postgresql":
        # A row lock cannot guard a group that has no row yet: two workers opening the same
        # group would both insert it. A transaction-scoped advisory lock per key can.
        for key in ordered:
            conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
            )
    query = (
        select(groups.c.key, groups.c.state)
        .where(groups.c.key.in_(ordered))
        .order_by(groups.c.key)
        .with_for_update()
    )
    return {row.key: state_from_json(row.state) for row in conn.execute(query)}


def save_groups(conn: Connection, states: Mapping[str, tuple[GroupState, datetime | None]]) -> None:
    """Insert or update each group with the time it next needs attention."""
    rows = [
        {"key": key, "route": state.route, "state": state_to_json(state), "due_at": due_at}
        for key, (state, due_at) in sorted(states.items())
    ]
    upsert(conn, groups, ["key"], rows)


def claim_due_groups(conn: Connection, now: datetime, limit: int) -> dict[str, GroupState]:
    query = (
        select(groups.c.key, groups.c.state)
        .where(groups.c.due_at <= now)
        .order_by(groups.c.key)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return {row.key: state_from_json(row.state) for row in conn.execute(query)}


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
    result = conn.execute(
        update(silences)
        .where(silences.c.id == silence_id)
        .where(silences.c.ends_at > now)
        .values(ends_at=now, expired_at=now)
    )
    return result.rowcount == 1


def _silence(row: Any) -> Silence:
    return Silence(row.id, json.loads(row.matchers), row.starts_at, row.ends_at, row.comment)


def load_marks(conn: Connection) -> dict[tuple[str, str], datetime]:
    rows = conn.execute(select(inhibit_marks))
    return {(row.rule, row.equal_key): row.last_seen for row in rows}


def save_marks(conn: Connection, marks: Mapping[tuple[str, str], datetime]) -> None:
    rows = [
        {"rule": rule, "equal_key": key, "last_seen": seen}
        for (rule, key), seen in sorted(marks.items())
    ]
    upsert(conn, inhibit_marks, ["rule", "equal_key"], rows)


_INSERT_OUTCOMES = driver_insert(
    event_outcomes, ("event_id", "route", "outcome", "group_key", "time")
)


def record_outcomes(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """One row per event and route; on SQLite through the driver (a row per event, each batch)."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(event_outcomes), list(rows))
        return
    values = [
        (row["event_id"], row["route"], row["outcome"], row["group_key"], sqlite_time(row["time"]))
        for row in rows
    ]
    conn.exec_driver_sql(_INSERT_OUTCOMES, values)


def load_group(conn: Connection, key: str) -> GroupState | None:
    text = conn.execute(select(groups.c.state).where(groups.c.key == key)).scalar()
    return state_from_json(text) if text else None
