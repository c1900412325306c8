"""Aggregate queries behind a digest, and the exactly-once claim of a scheduled run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
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
from sqlalchemy.dialects import postgresql, sqlite

from notifier.rules.model import Matcher, MatchValue
from notifier.store.schema import digest_runs, event_outcomes, events, notifications

# The event fields stored in their own columns: the only ones a digest scope can use in SQL.
_COLUMNS = ("source", "level", "error_code", "account_sid", "resource_sid")
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


def scope_clause(matcher: Matcher, table: FromClause = events) -> ColumnElement[bool]:
    """The SQL form of a digest's match/exclude; ValueError names a field SQL cannot see."""
    if matcher.regex:
        raise ValueError(f"match_re on {', '.join(sorted(matcher.regex))} is not supported")
    clauses = [_value_clause(table, name, value) for name, value in matcher.equal.items()]
    clauses += [not_(_value_clause(table, name, value)) for name, value in matcher.exclude.items()]
    return and_(true(), *clauses)


def _value_clause(table: FromClause, name: str, value: MatchValue) -> ColumnElement[bool]:
    if name not in _COLUMNS:
        known = ", ".join(_COLUMNS)
        raise ValueError(f'field "{name}" cannot scope a digest (only {known} can)')
    column = table.c[name]
    compared = func.lower(column) if value.fold_case else column
    clauses = [compared.in_(sorted(value.exact))] if value.exact else []
    clauses += [cast(column, Integer).between(low, high) for low, high in value.ranges]
    # A missing value never matches, also under `exclude`.
    return and_(column.is_not(None), or_(false(), *clauses))


def level_source_counts(conn: Connection, window: Window) -> list[tuple[str, str, int]]:
    query = (
        select(events.c.level, events.c.source, func.count())
        .where(window.where())
        .group_by(events.c.level, events.c.source)
    )
    return [(row[0], row[1], int(row[2])) for row in conn.execute(query)]


def code_stats(conn: Connection, window: Window) -> list[tuple[str, int, datetime, datetime]]:
    """Per error code: count, first and last event time; the most frequent first."""
    count = func.count().label("n")
    query = (
        select(events.c.error_code, count, func.min(events.c.time), func.max(events.c.time))
        .where(window.where(), events.c.error_code.is_not(None))
        .group_by(events.c.error_code)
        .order_by(count.desc(), events.c.error_code)
    )
    return [(row[0], int(row[1]), row[2], row[3]) for row in conn.execute(query)]


def code_counts(conn: Connection, window: Window) -> dict[str, int]:
    query = (
        select(events.c.error_code, func.count())
        .where(window.where(), events.c.error_code.is_not(None))
        .group_by(events.c.error_code)
    )
    return {row[0]: int(row[1]) for row in conn.execute(query)}


def top_values(
    conn: Connection, window: Window, field: str, codes: Sequence[str], limit: int
) -> dict[str, list[tuple[str, int]]]:
    """For each of `codes`, the `limit` most frequent values of `field` (account_sid, ...)."""
    if not codes:
        return {}
    column = events.c[field]
    count = func.count().label("n")
    rank = func.row_number().over(partition_by=events.c.error_code, order_by=(count.desc(), column))
    grouped = (
        select(events.c.error_code.label("code"), column.label("value"), count, rank.label("r"))
        .where(window.where(), events.c.error_code.in_(codes), column.is_not(None))
        .group_by(events.c.error_code, column)
        .subquery()
    )
    query = select(grouped.c.code, grouped.c.value, grouped.c.n).where(grouped.c.r <= limit)
    result: dict[str, list[tuple[str, int]]] = {}
    for row in conn.execute(query.order_by(grouped.c.code, grouped.c.r)):
        result.setdefault(row.code, []).append((row.value, int(row.n)))
    return result


def new_codes(conn: Connection, window: Window) -> set[str]:
    """Codes of the period with no event in scope received before the period started."""
    seen = select(events.c.error_code).where(window.where()).distinct().subquery()
    before = events.alias("before")
    earlier = (
        select(before.c.id)
        .where(before.c.error_code == seen.c.error_code)
        .where(before.c.received_at < window.start)
        .where(scope_clause(window.scope, before))
    )
    query = select(seen.c.error_code).where(seen.c.error_code.is_not(None), ~exists(earlier))
    return set(conn.execute(query).scalars())


def fired(
    conn: Connection, window: Window, limit: int
) -> tuple[int, list[tuple[datetime, dict[str, Any]]]]:
    """How many usage triggers and alarms fired, and the first `limit` of them."""
    where = and_(window.where(), events.c.source.in_(FIRED_SOURCES))
    total = conn.execute(select(func.count()).where(where)).scalar_one()
    query = select(events.c.time, events.c.data).where(where).order_by(events.c.time).limit(limit)
    return int(total), [(row.time, json.loads(row.data)) for row in conn.execute(query)]


def outcome_counts(conn: Connection, window: Window) -> list[tuple[str | None, str, int]]:
    """Per route and outcome (alerted, dropped, silenced...), events of the period."""
    outcomes = event_outcomes
    query = (
        select(outcomes.c.route, outcomes.c.outcome, func.count())
        .select_from(outcomes.join(events, events.c.id == outcomes.c.event_id))
        .where(window.where())
        .group_by(outcomes.c.route, outcomes.c.outcome)
    )
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
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = (
        dialect_insert(digest_runs)
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


def count_events(conn: Connection, window: Window) -> int:
    return int(conn.execute(select(func.count()).where(window.where())).scalar_one())
