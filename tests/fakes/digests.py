"""Factories for digest tests: events, outcomes and deliveries stored at chosen times, and the
reports built from them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from notifier.digest.build import CodeLine, DigestReport
from notifier.events import Event
from notifier.store.events import IncomingEvent, insert_events
from notifier.store.schema import event_outcomes, events, notifications

_serial = itertools.count()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def store_event(
    engine: Engine,
    when: datetime,
    *,
    outcome: tuple[str | None, str] | None = None,
    **fields: object,
) -> int:
    """Store one event received at `when`; with `outcome` = (route, outcome) record it too."""
    event = Event(source=str(fields.pop("source", "debugger")), time=when, **fields)  # type: ignore[arg-type]
    key = f"k{next(_serial)}"
    with engine.begin() as conn:
        insert_events(conn, [IncomingEvent(key, event, "", {})], when)
        event_id = conn.execute(select(events.c.id).where(events.c.dedup_key == key)).scalar_one()
        if outcome is not None:
            route, decided = outcome
            conn.execute(
                insert(event_outcomes).values(
                    event_id=event_id, route=route, outcome=decided, group_key=None, time=when
                )
            )
    return int(event_id)


def store_delivery(engine: Engine, when: datetime, status: str, error: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(notifications).values(
                route="webhook-failures",
                receiver="ops",
                reason="first",
                group_key="g",
                cycle=1,
                notice="{}",
                status=status,
                attempts=1,
                last_error=error,
                created_at=when,
                next_attempt_at=when,
            )
        )


def make_code(code: str = "11200", **fields: object) -> CodeLine:
    """A code line of a digest: 11200 five times, twice before; `fields` set the rest."""
    values: dict[str, object] = {
        "code": code,
        "count": 5,
        "previous": 2,
        "first_seen": at(10, 1),
        "last_seen": at(10, 5),
        "new": False,
        "message": "HTTP retrieval failure",
        "product": "Programmable Voice",
        "top_accounts": (("ACa", 3), ("ACb", 2)),
        "top_resources": (("CA1", 3),),
    }
    values.update(fields)
    return CodeLine(**values)  # type: ignore[arg-type]


def make_report(**fields: object) -> DigestReport:
    """A "morning" digest of the day from 10 March, with one code line; `fields` set the rest."""
    values: dict[str, object] = {
        "name": "morning",
        "start": at(10, 0),
        "end": at(11, 0),
        "total": 5,
        "previous_total": 2,
        "by_level": {"error": 5},
        "by_source": {"debugger": 5},
        "codes": (make_code(),),
        "new_codes": (),
    }
    values.update(fields)
    return DigestReport(**values)  # type: ignore[arg-type]
