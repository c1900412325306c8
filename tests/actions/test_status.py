"""A group's status: its acknowledgement for the current cycle and the silences that hold it."""

from datetime import timedelta

from fakes.events import NOW, PROD, make_incoming
from fakes.pipeline import Clock, make_worker, receive
from fakes.rules import CONSOLE_RULES, make_rules
from sqlalchemy import Engine

from notifier import actions
from notifier.actions import Actor, Origin

ALICE = Actor(Origin.SLACK, "U123ABC (alice)")
KEY = f"webhooks|error_code=11200|account_sid={PROD}"
RULES = make_rules(CONSOLE_RULES, '[[routes]]\nname = "webhooks"\n')
HOUR = timedelta(hours=1)


def test_status_names_who_acknowledged_and_the_silences_holding_the_group(engine: Engine) -> None:
    receive(engine, make_worker(engine, RULES, Clock()), make_incoming(), at=NOW)
    with engine.begin() as conn:
        actions.acknowledge(conn, ALICE, KEY, now=NOW)
        held = actions.silence_group(conn, ALICE, KEY, duration=HOUR, comment="", now=NOW)
        by_code = actions.silence(
            conn, ALICE, {"error_code": "11200"}, ends_at=NOW + HOUR, comment="", now=NOW
        )
        # On another field: it may hold only some of the group's events.
        actions.silence(conn, ALICE, {"url": "x"}, ends_at=NOW + HOUR, comment="", now=NOW)
        status = actions.group_status(conn, KEY, now=NOW)

    assert status is not None and status.acknowledged is not None
    assert status.acknowledged.by == ALICE.who
    assert [s.id for s in status.silences] == [held, by_code]


def test_status_of_an_unknown_group_is_none(engine: Engine) -> None:
    with engine.connect() as conn:
        assert actions.group_status(conn, "webhooks|gone", now=NOW) is None
