import getpass
import json

import pytest
from fakes.cli import database_fixture
from fakes.rules import CONSOLE_RULES

from notifier.cli import main

database = database_fixture(CONSOLE_RULES)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_audit_lists_cli_actions_newest_first_with_who(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "bob")
    run(capsys, "silence", "add", "error_code=11200", "--comment", "deploy")
    run(capsys, "silence", "expire", "1")

    entries = json.loads(run(capsys, "audit", "--json"))
    lines = run(capsys, "audit").splitlines()

    assert [(e["action"], e["target"], e["origin"], e["who"]) for e in entries] == [
        ("expire", "silence 1", "cli", "bob"),
        ("silence", "silence 1", "cli", "bob"),
    ]
    assert "cli:bob  expire silence 1" in lines[0]
    detail = entries[1]["detail"]
    assert detail.startswith("error_code=11200 until ") and detail.endswith(": deploy")
    assert lines[1].endswith(f"silence silence 1  ({detail})")


def test_audit_with_nothing_done_says_so(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "audit") == "no actions recorded\n"
    assert json.loads(run(capsys, "audit", "--json")) == []


def test_audit_limit_out_of_range_exits_1_with_a_message(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "--limit", "0"]) == 1
    assert "limit must be between 1 and 1000, not 0" in capsys.readouterr().err


def test_a_user_without_a_login_name_acts_as_cli(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_user() -> str:
        raise OSError("no such user")

    monkeypatch.setattr(getpass, "getuser", no_user)
    run(capsys, "silence", "add", "error_code=1", "--comment", "x")

    [entry] = json.loads(run(capsys, "audit", "--json"))
    assert entry["who"] == "cli"
