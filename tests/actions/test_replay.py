"""Replay through the actions module: queued again as a replay, recorded, unknown ids refused."""

import pytest
from fakes.events import NOW, make_incoming
from fakes.pipeline import Clock, make_worker, receive, sent
from fakes.rules import CONSOLE_RULES, make_rules
from sqlalchemy import Engine

from notifier import actions
from notifier.actions import ActionError, Actor, AuditAction, Origin

CONSOLE = Actor(Origin.CONSOLE, "console")
RULES = make_rules(CONSOLE_RULES, '[[routes]]\nname = "webhooks"\n')


def test_replay_queues_the_notification_again_and_records_it(engine: Engine) -> None:
    receive(engine, make_worker(engine, RULES, Clock()), make_incoming(), at=NOW)

    with engine.begin() as conn:
        assert actions.replay(conn, CONSOLE, [1], now=NOW) == 1
        [entry] = actions.audit_entries(conn)

    assert [reason for reason, *_ in sent(engine)] == ["first", "replay"]
    assert (entry.action, entry.who, entry.origin) == (
        AuditAction.REPLAY,
        "console",
        Origin.CONSOLE,
    )
    assert entry.target == "notification 1"


def test_replay_with_an_unknown_id_queues_nothing_and_names_it(engine: Engine) -> None:
    receive(engine, make_worker(engine, RULES, Clock()), make_incoming(), at=NOW)

    with engine.begin() as conn:
        with pytest.raises(ActionError, match=r"^no notification with id 7, 9$"):
            actions.replay(conn, CONSOLE, [1, 9, 7], now=NOW)
        assert actions.audit_entries(conn) == []
    assert [reason for reason, *_ in sent(engine)] == ["first"]


def test_replay_of_nothing_queues_and_records_nothing(engine: Engine) -> None:
    with engine.begin() as conn:
        assert actions.replay(conn, CONSOLE, [], now=NOW) == 0
        assert actions.audit_entries(conn) == []
