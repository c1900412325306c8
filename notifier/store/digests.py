"""Aggregate queries behind a digest, and the exactly-once claim of a scheduled run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    and_,
    cast,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
)

from notifier.rules.model import DIGEST_SCOPE_FIELDS, Matcher, MatchValue
from notifier.store.engine import conflict_insert
from notifier.store.schema import digest_runs, event_outcomes, events, notifications

_COLUMNS = DIGEST_SCOPE_FIELDS
FIRED_SOURCES = ("usage_trigger", "alarm")


@dataclass(frozen=True, slots=True)
class Window:
    """Events received in [start, end), restricted to a digest's scope."""

    start: datetime
    end: datetime
    scope: Matcher

    def where(self) -> ColumnElement[bool]:
        received = events.c.received_at
        return and_(received >= self.start, received < self.end, scope_clause(self.scope))


def scope_clause(matcher: Matcher) -> ColumnElement[bool]:
    """The SQL form of a digest's match/exclude; ValueError names a field SQL cannot see."""
    if matcher.regex:
        raise ValueError(f"match_re on {', '.join(sorted(matcher.regex))} is not supported")
    clauses = [_value_clause(name, value) for name, value in matcher.equal.items()]
    clauses += [not_(_value_clause(name, value)) for name, value in matcher.exclude.items()]
    return and_(true(), *clauses)


def _value_clause(name: str, value: MatchValue) -> ColumnElement[bool]:
    if name not in _COLUMNS:
        known = ", ".join(_COLUMNS)
        raise ValueError(f'field "{name}" cannot scope a digest (only {known} can)')
    column = events.c[name]
    compared = func.lower(column) if value.fold_case else column
    clauses = [compared.in_(sorted(value.exact))] if value.exact else []
    clauses += [cast(column, Integer).between(low, high) for low, high in value.ranges]
    # A missing value never matches, also under `exclude`.
    return and_(column.is_not(None), or_(false(), *clauses))


def prepare(conn: Connection) -> None:
    """Tune the session for a digest's aggregate queries over up to millions of events.

    SQLite: sample fresh planner statistics, without which it cannot know that source, level,
    route and outcome have few values, so it reads the period's events through the table
    instead of skip-scanning the digest indexes; sampled (analysis_limit) they take
    milliseconds whatever the store's size. PostgreSQL: memory for the per-code top resources'
    hash aggregates (a busy code can have ~100k), for this transaction only.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql("ANALYZE events")
        conn.exec_driver_sql("ANALYZE event_outcomes")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")


Key = tuple[str, str, str | None, str | None]  # source, level, error_code, account_sid


def key_counts(conn: Connection, window: Window) -> list[tuple[Key, int]]:
    """Events per (source, level, error_code, account_sid): one pass feeding every total, code
    count and top account."""
    key = (events.c.source, events.c.level, events.c.error_code, events.c.account_sid)
    query = select(*key, func.count()).where(window.where()).group_by(*key)
    return [((row[0], row[1], row[2], row[3]), int(row[4])) for row in conn.execute(query)]


def seen_span(conn: Connection, window: Window, code: str) -> tuple[datetime, datetime]:
    """When `code` was first and last received in the window: two index seeks."""
    received = events.c.received_at
    where = and_(window.where(), events.c.error_code == code)
    first = select(received).where(where).order_by(received).limit(1).scalar_subquery()
    last = select(received).where(where).order_by(received.desc()).limit(1).scalar_subquery()
    row = conn.execute(select(first, last)).one()
    return _aware(row[0]), _aware(row[1])


def _aware(value: Any) -> datetime:
    # A scalar subquery loses the column's type: SQLite hands back text, PostgreSQL naive.
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC)


def top_resources(conn: Connection, window: Window, code: str, limit: int) -> list[tuple[str, int]]:
    """The `limit` most frequent resource SIDs among `code`'s events."""
    column = events.c.resource_sid
    count = func.count().label("n")
    query = (
        select(column, count)
        .where(window.where(), events.c.error_code == code, column.is_not(None))
        .group_by(column)
        .order_by(count.desc(), column)
        .limit(limit)
    )
    return [(row[0], int(row[1])) for row in conn.execute(query)]


def seen_before(conn: Connection, window: Window, codes: Sequence[str]) -> set[str]:
    """Which of `codes` had an event in scope received before the window: one seek each."""
    earlier = and_(events.c.received_at < window.start, scope_clause(window.scope))
    seen = set()
    for code in codes:
        query = select(exists().where(earlier, events.c.error_code == code))
        if conn.execute(query).scalar():
            seen.add(code)
    return seen


def fired(conn: Connection, window: Window, limit: int) -> list[tuple[datetime, dict[str, Any]]]:
    """The first `limit` usage triggers and alarms of the window."""
    where = and_(window.where(), events.c.source.in_(FIRED_SOURCES))
    query = select(events.c.time, events.c.data).where(where).order_by(events.c.time).limit(limit)
    return [(row.time, json.loads(row.data)) for row in conn.execute(query)]


def outcome_counts(conn: Connection, window: Window) -> list[tuple[str | None, str, int]]:
    """Per route and outcome (alerted, dropped, silenced...), events of the period."""
    outcomes = event_outcomes
    key = (outcomes.c.route, outcomes.c.outcome)
    query = select(*key, func.count()).group_by(*key)
    if window.scope.equal or window.scope.exclude:
        query = query.select_from(outcomes.join(events, events.c.id == outcomes.c.event_id))
        query = query.where(window.where())
    else:
        # Unscoped, the outcome's own (indexed) event time stands for the event's: no join.
        query = query.where(outcomes.c.time >= window.start, outcomes.c.time < window.end)
    return [(row[0], row[1], int(row[2])) for row in conn.execute(query)]


def failed_deliveries(
    conn: Connection, start: datetime, end: datetime
) -> list[tuple[str, str, int, str | None]]:
    """Per route and receiver, deliveries created in the period that ended as failed."""
    created = notifications.c.created_at
    query = (
        select(
            notifications.c.route,
            notifications.c.receiver,
            func.count(),
            func.max(notifications.c.last_error),
        )
        .where(notifications.c.status == "failed", created >= start, created < end)
        .group_by(notifications.c.route, notifications.c.receiver)
        .order_by(notifications.c.route, notifications.c.receiver)
    )
    return [(row[0], row[1], int(row[2]), row[3]) for row in conn.execute(query)]


def claim_run(
    conn: Connection, digest: str, start: datetime, end: datetime, now: datetime, *, late: bool
) -> bool:
    """Claim the run of `digest` for the period starting at `start`; False if already claimed."""
    statement = (
        conflict_insert(conn, digest_runs)
        .values(digest=digest, period_start=start, period_end=end, claimed_at=now, late=int(late))
        .on_conflict_do_nothing(index_elements=["digest", "period_start"])
        .returning(digest_runs.c.id)
    )
    return conn.execute(statement).first() is not None


def run_claimed(conn: Connection, digest: str, start: datetime) -> bool:
    query = select(digest_runs.c.id).where(
        digest_runs.c.digest == digest, digest_runs.c.period_start == start
    )
    return conn.execute(query).first() is not None


def had_history(conn: Connection, digest: str, before: datetime) -> bool:
    """Whether the store received an event, or ran this digest, before `before`."""
    event = select(events.c.id).where(events.c.received_at < before).limit(1)
    run = select(digest_runs.c.id).where(digest_runs.c.digest == digest).limit(1)
    return conn.execute(event).first() is not None or conn.execute(run).first() is not None
