"""Silences through the actions module: validated, recorded, and (for a group) held to its route."""

import re
from datetime import timedelta

import pytest
from fakes.events import NOW, PROD, TEST, make_incoming
from fakes.pipeline import Clock, make_worker, outcomes, receive
from fakes.rules import CONSOLE_RULES, make_rules
from sqlalchemy import Engine

from notifier import actions
from notifier.actions import ActionError, Actor, AuditAction, Origin
from notifier.store.silences import active_silences, all_silences

ALICE = Actor(Origin.SLACK, "U123ABC (alice)")
HOUR = timedelta(hours=1)
# An 11200 takes both routes: "webhooks" goes on to "everything".
TWO_ROUTES = make_rules(
    CONSOLE_RULES,
    '[[routes]]\nname = "webhooks"\nmatch = { error_code = ["11200"] }\ncontinue = true\n',
    '[[routes]]\nname = "everything"\n',
)
WEBHOOKS_KEY = f"webhooks|error_code=11200|account_sid={PROD}"


def test_silence_is_stored_with_its_author_and_recorded_in_the_audit(engine: Engine) -> None:
    with engine.begin() as conn:
        silence_id = actions.silence(
            conn, ALICE, {"error_code": "11200"}, ends_at=NOW + HOUR, comment="deploy", now=NOW
        )
        [stored] = active_silences(conn, NOW)
        [entry] = actions.audit_entries(conn)

    assert (stored.id, stored.created_by, stored.origin) == (silence_id, ALICE.who, Origin.SLACK)
    assert (entry.who, entry.origin, entry.action) == (ALICE.who, Origin.SLACK, AuditAction.SILENCE)
    assert (entry.at, entry.target) == (NOW, f"silence {silence_id}")
    assert "error_code=11200" in entry.detail and "deploy" in entry.detail


@pytest.mark.parametrize(
    ("matchers", "ends_at", "message"),
    [
        pytest.param(
            {"eror_code": "1"}, NOW + HOUR, "'eror_code' is not an event field", id="field"
        ),
        pytest.param({}, NOW + HOUR, "a silence needs at least one FIELD=VALUE", id="no-matchers"),
        pytest.param({"error_code": "1"}, NOW, "a silence must end after it starts", id="ends-now"),
    ],
)
def test_a_bad_silence_is_refused_and_nothing_is_recorded(
    engine: Engine, matchers: dict[str, str], ends_at: object, message: str
) -> None:
    with engine.begin() as conn:
        with pytest.raises(ActionError, match=message):
            actions.silence(conn, ALICE, matchers, ends_at=ends_at, comment="x", now=NOW)  # type: ignore[arg-type]
        assert all_silences(conn) == [] and actions.audit_entries(conn) == []


def test_group_silence_holds_the_groups_next_event_and_not_another_route_or_group(
    engine: Engine,
) -> None:
    clock = Clock()
    worker = make_worker(engine, TWO_ROUTES, clock)
    receive(engine, worker, make_incoming(), at=NOW)
    with engine.begin() as conn:
        actions.silence_group(conn, ALICE, WEBHOOKS_KEY, duration=HOUR, comment="on it", now=NOW)
    clock.advance(timedelta(minutes=5))

    receive(engine, worker, make_incoming(), make_incoming(account_sid=TEST), at=clock.now)

    assert outcomes(engine)[2:] == [
        ("webhooks", "silenced"),
        ("everything", "alerted"),
        ("webhooks", "alerted"),  # another account: another group of the route
        ("everything", "alerted"),
    ]


def test_group_silence_matches_the_groups_route_and_labels(engine: Engine) -> None:
    receive(engine, make_worker(engine, TWO_ROUTES, Clock()), make_incoming(), at=NOW)

    with engine.begin() as conn:
        actions.silence_group(conn, ALICE, WEBHOOKS_KEY, duration=HOUR, comment="", now=NOW)
        [stored] = active_silences(conn, NOW)

    assert stored.route == "webhooks"
    assert stored.matchers == {"error_code": "11200", "account_sid": PROD}
    assert stored.ends_at == NOW + HOUR


def test_silencing_an_unknown_group_says_which(engine: Engine) -> None:
    message = re.escape("no alert group 'webhooks|gone'")
    with engine.begin() as conn, pytest.raises(ActionError, match=message):
        actions.silence_group(conn, ALICE, "webhooks|gone", duration=HOUR, comment="", now=NOW)


def test_expire_ends_the_silence_and_records_who(engine: Engine) -> None:
    cli = Actor(Origin.CLI, "bob")
    with engine.begin() as conn:
        silence_id = actions.silence(
            conn, ALICE, {"error_code": "1"}, ends_at=NOW + HOUR, comment="x", now=NOW
        )
        actions.expire_silence(conn, cli, silence_id, now=NOW + timedelta(minutes=1))
        entry = actions.audit_entries(conn, limit=1)[0]
        assert active_silences(conn, NOW + timedelta(minutes=1)) == []

    assert (entry.action, entry.who, entry.origin) == (AuditAction.EXPIRE, "bob", Origin.CLI)


@pytest.mark.parametrize("twice", [False, True], ids=["unknown", "already-ended"])
def test_expiring_what_is_not_active_says_so(engine: Engine, twice: bool) -> None:
    with engine.begin() as conn:
        silence_id = actions.silence(
            conn, ALICE, {"error_code": "1"}, ends_at=NOW + HOUR, comment="x", now=NOW
        )
        if twice:
            actions.expire_silence(conn, ALICE, silence_id, now=NOW)
        target = silence_id if twice else 4242
        with pytest.raises(ActionError, match=f"^no active silence with id {target}"):
            actions.expire_silence(conn, ALICE, target, now=NOW)
