"""Acknowledge through the actions module: recorded, for the current cycle, no reminders."""

import re
from datetime import timedelta

import pytest
from fakes.events import NOW, PROD, make_incoming
from fakes.pipeline import Clock, make_worker, receive, sent
from fakes.rules import CONSOLE_RULES, make_rules
from sqlalchemy import Engine

from notifier import actions
from notifier.actions import ActionError, Actor, AuditAction, Origin
from notifier.store.groups import acknowledgement

ALICE = Actor(Origin.SLACK, "U123ABC (alice)")
KEY = f"webhooks|error_code=11200|account_sid={PROD}"
RULES = make_rules(
    CONSOLE_RULES,
    '[[routes]]\nname = "webhooks"\nmatch = { error_code = ["11200"] }\n'
    'repeat_interval = "1h"\nresolve_after = "3h"\n',
)


def first_notice(engine: Engine, clock: Clock) -> None:
    receive(engine, make_worker(engine, RULES, clock), make_incoming(), at=clock.now)


def test_acknowledge_is_stored_for_the_cycle_and_recorded(engine: Engine) -> None:
    first_notice(engine, Clock())

    with engine.begin() as conn:
        actions.acknowledge(conn, ALICE, KEY, now=NOW)
        stored = acknowledgement(conn, KEY)
        [entry] = actions.audit_entries(conn)

    assert stored is not None and (stored.by, stored.at, stored.cycle) == (ALICE.who, NOW, 1)
    assert (entry.action, entry.who, entry.origin) == (
        AuditAction.ACKNOWLEDGE,
        ALICE.who,
        Origin.SLACK,
    )
    assert entry.target == f"group {KEY}"


def test_acknowledged_group_gets_no_reminder_but_its_count_updates(engine: Engine) -> None:
    clock = Clock()
    worker = make_worker(engine, RULES, clock)
    receive(engine, worker, make_incoming(), at=clock.now)
    with engine.begin() as conn:
        actions.acknowledge(conn, ALICE, KEY, now=clock.now)
    clock.advance(timedelta(hours=2))

    receive(engine, worker, make_incoming(clock.now), at=clock.now)

    assert sent(engine) == [("first", 1, 1), ("new_in_group", 1, 2)]


def test_unacknowledged_group_is_reminded_again(engine: Engine) -> None:
    clock = Clock()
    worker = make_worker(engine, RULES, clock)
    receive(engine, worker, make_incoming(), at=clock.now)
    with engine.begin() as conn:
        actions.acknowledge(conn, ALICE, KEY, now=clock.now)
        actions.unacknowledge(conn, Actor(Origin.CONSOLE, "console"), KEY, now=clock.now)
        entries = actions.audit_entries(conn)
    clock.advance(timedelta(hours=2))

    receive(engine, worker, make_incoming(clock.now), at=clock.now)

    assert sent(engine) == [("first", 1, 1), ("repeat", 1, 2)]
    assert [e.action for e in entries] == [AuditAction.UNACKNOWLEDGE, AuditAction.ACKNOWLEDGE]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        pytest.param(["unknown"], "no alert group 'webhooks|nope'", id="unknown-group"),
        pytest.param(["ack", "ack"], f"alert group '{KEY}' is already acknowledged", id="twice"),
        pytest.param(["unack"], f"alert group '{KEY}' is not acknowledged", id="unack-none"),
    ],
)
def test_acknowledge_mistakes_say_what_is_wrong(
    engine: Engine, steps: list[str], message: str
) -> None:
    first_notice(engine, Clock())
    calls = {
        "unknown": lambda conn: actions.acknowledge(conn, ALICE, "webhooks|nope", now=NOW),
        "ack": lambda conn: actions.acknowledge(conn, ALICE, KEY, now=NOW),
        "unack": lambda conn: actions.unacknowledge(conn, ALICE, KEY, now=NOW),
    }
    with engine.begin() as conn:
        for step in steps[:-1]:
            calls[step](conn)
        with pytest.raises(ActionError, match=f"^{re.escape(message)}$"):
            calls[steps[-1]](conn)


def test_a_resolved_group_cannot_be_acknowledged(engine: Engine) -> None:
    clock = Clock()
    first_notice(engine, clock)
    clock.advance(timedelta(hours=3))
    make_worker(engine, RULES, clock).flush_once()

    with (
        engine.begin() as conn,
        pytest.raises(ActionError, match="has gone quiet: nothing to acknowledge"),
    ):
        actions.acknowledge(conn, ALICE, KEY, now=clock.now)
