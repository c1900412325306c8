"""The `event_outcomes` table: what became of each event on each route (digests count these)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection

from notifier.store.engine import driver_insert, json_rows, json_rows_insert, sqlite_time
from notifier.store.schema import event_outcomes, naive_utc


class OutcomeRow(NamedTuple):
    event_id: int
    route: str | None  # None: no route matched
    outcome: str  # a notifier.pipeline.suppress.Outcome
    group_key: str | None
    time: datetime  # the event's own time


_INSERT_OUTCOMES = driver_insert(event_outcomes, OutcomeRow._fields)
_INSERT_OUTCOMES_PG = json_rows_insert(event_outcomes, OutcomeRow._fields)


def record_outcomes(conn: Connection, rows: Sequence[OutcomeRow]) -> None:
    """One row per event and route, through the driver (a row per event, each batch):
    SQLAlchemy's executemany binds every value through its column type. On PostgreSQL the batch
    is one JSON parameter: an executemany is a round of parameters per row."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_INSERT_OUTCOMES, [(*row[:4], sqlite_time(row.time)) for row in rows])
        return
    values = [(*row[:4], naive_utc(row.time)) for row in rows]
    conn.exec_driver_sql(_INSERT_OUTCOMES_PG, (json_rows(OutcomeRow._fields, values),))
