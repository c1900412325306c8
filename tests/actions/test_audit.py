"""The audit log reads newest first, pages by id, and refuses a silly limit."""

from datetime import timedelta

import pytest
from fakes.events import NOW
from sqlalchemy import Engine

from notifier import actions
from notifier.actions import ActionError, Actor, Origin


def add_silences(engine: Engine, count: int) -> list[int]:
    who = Actor(Origin.CLI, "bob")
    with engine.begin() as conn:
        return [
            actions.silence(
                conn,
                who,
                {"error_code": str(n)},
                ends_at=NOW + timedelta(hours=1),
                comment="",
                now=NOW,
            )
            for n in range(count)
        ]


def test_entries_are_newest_first_and_page_on_before_id(engine: Engine) -> None:
    ids = add_silences(engine, 5)

    with engine.connect() as conn:
        first = actions.audit_entries(conn, limit=2)
        rest = actions.audit_entries(conn, limit=10, before_id=first[-1].id)

    targets = [entry.target for entry in first + rest]
    assert targets == [f"silence {n}" for n in reversed(ids)]


@pytest.mark.parametrize("limit", [0, -1, 1001])
def test_a_limit_out_of_range_is_refused(engine: Engine, limit: int) -> None:
    message = f"limit must be between 1 and 1000, not {limit}"
    with engine.connect() as conn, pytest.raises(ActionError, match=message):
        actions.audit_entries(conn, limit=limit)


def test_an_actor_must_say_who(engine: Engine) -> None:
    with pytest.raises(ActionError, match="an action from slack needs to say who takes it"):
        Actor(Origin.SLACK, " ")
