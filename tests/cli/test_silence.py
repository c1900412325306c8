import getpass
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from fakes.cli import database_fixture
from fakes.rules import CONSOLE_RULES
from sqlalchemy import Engine

from notifier import actions
from notifier.actions import Actor, Origin
from notifier.cli import main
from notifier.store.engine import make_engine
from notifier.store.migrations import migrate

database = database_fixture(CONSOLE_RULES)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["silence", *args]) == 0
    return capsys.readouterr().out


def add(capsys: pytest.CaptureFixture[str], *args: str) -> int:
    out = run(capsys, "add", *args)
    found = re.fullmatch(r"silence (\d+) added until \S+\n", out)
    assert found, out
    return int(found.group(1))


def listed(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    silences: list[dict[str, object]] = json.loads(run(capsys, "list", "--json"))
    return silences


def test_added_silence_is_listed_active_with_its_matchers_and_comment(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = datetime.now(UTC)
    silence_id = add(
        capsys, "error_code=11200", "account_sid=ACx", "--for", "2h", "--comment", "deploy"
    )

    [silence] = listed(capsys)
    assert silence["id"] == silence_id
    assert silence["matchers"] == {"error_code": "11200", "account_sid": "ACx"}
    assert (silence["active"], silence["comment"]) == (True, "deploy")
    ends = datetime.fromisoformat(str(silence["ends_at"]))
    assert before + timedelta(hours=2) <= ends <= datetime.now(UTC) + timedelta(hours=2)


def test_list_as_text_shows_state_matchers_and_comment(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    silence_id = add(capsys, "error_code=30007", "--comment", "carrier outage")

    line = run(capsys, "list")

    assert line.startswith(f"{silence_id:>4}  active ")
    assert line.rstrip().endswith("error_code=30007  # carrier outage")


def test_expired_silence_is_listed_as_expired(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    silence_id = add(capsys, "error_code=11200", "--comment", "x")

    assert run(capsys, "expire", str(silence_id)) == f"silence {silence_id} expired\n"

    [silence] = listed(capsys)
    assert silence["active"] is False
    assert " expired " in run(capsys, "list")


def test_no_silences_says_so(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "list") == "no silences\n"
    assert listed(capsys) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["expire", "4242"], "no active silence with id 4242", id="unknown-id"),
        pytest.param(
            ["add", "eror_code=1", "--comment", "x"],
            "'eror_code' is not an event field",
            id="unknown-field",
        ),
        pytest.param(
            ["add", "error_code=1", "--for", "soon", "--comment", "x"], "--for: ", id="bad-duration"
        ),
    ],
)
def test_mistakes_exit_1_with_a_message(
    database: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["silence", *args]) == 1

    assert message in capsys.readouterr().err


def test_expiring_twice_exits_1(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    silence_id = add(capsys, "error_code=11200", "--comment", "x")
    run(capsys, "expire", str(silence_id))

    assert main(["silence", "expire", str(silence_id)]) == 1
    assert f"no active silence with id {silence_id}" in capsys.readouterr().err


def test_list_shows_controls_in_matchers_and_comment_as_escapes_and_json_keeps_them(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    comment = "deploy \x1b]0;pwned\x07\u2066x\u2069\nfake row"
    add(capsys, "error_code=1\x9b2J", "--comment", comment)

    [line] = run(capsys, "list").splitlines()
    assert line.endswith(
        "error_code=1\\x9b2J  # deploy \\x1b]0;pwned\\x07\\u2066x\\u2069\\nfake row"
    )
    [silence] = listed(capsys)
    assert (silence["comment"], silence["matchers"]) == (comment, {"error_code": "1\x9b2J"})


def make_store(database: str) -> Engine:
    engine = make_engine(database)
    migrate(engine)
    return engine


def test_list_says_who_made_each_silence_from_where_and_for_which_route(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "bob")
    add(capsys, "error_code=11200", "--comment", "deploy")
    engine = make_store(database)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        slack = Actor(Origin.SLACK, "U123ABC (alice)")
        ends = now + timedelta(hours=1)
        actions.silence(
            conn,
            slack,
            {"account_sid": "AC1"},
            ends_at=ends,
            comment="1h",
            now=now,
            route="webhooks",
        )
    engine.dispose()

    cli_line, slack_line = run(capsys, "list").splitlines()

    assert "  from the CLI by bob  error_code=11200  # deploy" in cli_line
    assert "  from Slack by U123ABC (alice)  on route webhooks  account_sid=AC1  # 1h" in slack_line
    [_, listed_slack] = listed(capsys)
    assert listed_slack["created_by"] == "U123ABC (alice)"
    assert (listed_slack["origin"], listed_slack["route"]) == ("slack", "webhooks")


def test_list_leaves_out_silences_ended_over_a_day_ago_unless_all(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_store(database)
    long_ago = datetime.now(UTC) - timedelta(days=3)
    with engine.begin() as conn:
        old = actions.silence(
            conn,
            Actor(Origin.CLI, "bob"),
            {"error_code": "1"},
            ends_at=long_ago + timedelta(hours=1),
            comment="old",
            now=long_ago,
        )
    engine.dispose()
    recent = add(capsys, "error_code=2", "--comment", "new")

    assert [s["id"] for s in listed(capsys)] == [recent]
    assert [s["id"] for s in json.loads(run(capsys, "list", "--all", "--json"))] == [old, recent]
