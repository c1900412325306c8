"""The `inhibit_marks` table: when an event matching each [[inhibit]] `when` was last received,
per rule and `equal` values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, select

from notifier.store.engine import upsert
from notifier.store.schema import inhibit_marks

Marks = Mapping[tuple[str, str], datetime]  # (rule, equal key) -> last received


def load_marks(conn: Connection) -> dict[tuple[str, str], datetime]:
    rows = conn.execute(select(inhibit_marks))
    return {(row.rule, row.equal_key): row.last_seen for row in rows}


def save_marks(conn: Connection, marks: Marks) -> None:
    rows = [
        {"rule": rule, "equal_key": key, "last_seen": seen}
        for (rule, key), seen in sorted(marks.items())
    ]
    upsert(conn, inhibit_marks, ["rule", "equal_key"], rows)
