from datetime import UTC, datetime, timedelta

from fakes.events import make_incoming
from sqlalchemy import Engine, func, insert, select

from notifier.store.events import insert_events
from notifier.store.retention import prune
from notifier.store.schema import event_outcomes, events, inhibit_marks, notifications

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=40)
CUTOFF = NOW - timedelta(days=30)


def notification(status: str, created_at: datetime) -> dict[str, object]:
    return {
        "route": "r",
        "receiver": "local",
        "reason": "first",
        "group_key": "r|",
        "cycle": 1,
        "notice": "{}",
        "status": status,
        "attempts": 1,
        "created_at": created_at,
        "next_attempt_at": created_at,
    }


def fill(engine: Engine) -> None:
    with engine.begin() as conn:
        for sid, at in (("NO1", OLD), ("NO2", NOW)):
            item = make_incoming(at, key=f"debugger:{sid}", event_sid=sid)
            insert_events(conn, [item], at)
        # Outcomes carry Twilio's event time; they go with their event, received or not long ago.
        outcomes = [{"event_id": i, "outcome": "alerted", "time": OLD} for i in (1, 2)]
        conn.execute(insert(event_outcomes), outcomes)
        rows = [notification("sent", OLD), notification("pending", OLD), notification("sent", NOW)]
        conn.execute(insert(notifications), rows)
        marks = [{"rule": "x", "equal_key": k, "last_seen": t} for k, t in (("a", OLD), ("b", NOW))]
        conn.execute(insert(inhibit_marks), marks)


def count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_prune_removes_history_older_than_the_cutoff(engine: Engine) -> None:
    fill(engine)

    with engine.begin() as conn:
        removed = prune(conn, CUTOFF)

    assert removed == {"outcomes": 1, "events": 1, "notifications": 1, "inhibit marks": 1}
    assert [count(engine, t) for t in (events, event_outcomes, inhibit_marks)] == [1, 1, 1]


def test_prune_keeps_a_pending_delivery_however_old(engine: Engine) -> None:
    fill(engine)

    with engine.begin() as conn:
        prune(conn, CUTOFF)

    with engine.connect() as conn:
        statuses = sorted(conn.execute(select(notifications.c.status)).scalars())
    assert statuses == ["pending", "sent"]
