import getpass
import json

import pytest
from fakes.delivery import queue, rules_of
from fakes.events import NOW
from fakes.notices import make_notice
from sqlalchemy import Engine

from notifier.cli import main
from notifier.rules.model import EmailConfig, Receiver, SlackApiConfig
from notifier.store.outbox import mark_failed, mark_sent

FIELDS = {
    "id", "route", "receiver", "channel", "reason", "group_key", "status", "attempts",
    "last_error", "created_at", "sent_at",
}  # fmt: skip


def outbox(engine: Engine) -> None:
    """Delivery 1 was sent, 2 and 3 failed."""
    queue(engine, *(make_notice(f"webhooks|11200|{x}") for x in "abc"))
    with engine.begin() as conn:
        mark_sent(conn, [1], NOW)
        mark_failed(conn, [2, 3], "slack: channel_not_found")


def listed(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["notifications", "--json", *args]) == 0
    rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return rows


@pytest.fixture
def store(engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("DATABASE_URL", database_url)
    outbox(engine)
    return engine


def test_notifications_json_lists_every_delivery_newest_first(
    store: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = listed(capsys)
    assert [row["id"] for row in rows] == [3, 2, 1]
    assert all(set(row) == FIELDS for row in rows)
    assert rows[2]["sent_at"] == "2024-06-04T12:00:00Z" and rows[2]["status"] == "sent"


def test_notifications_failed_shows_only_failed_with_the_reason(
    store: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["notifications", "--failed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert all("failed" in line and "(slack: channel_not_found)" in line for line in lines)


def test_replay_of_one_id_queues_it_as_a_replay_and_clears_its_failure(
    store: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", "2"]) == 0
    assert capsys.readouterr().out == "queued 1 notification(s) for replay\n"
    newest = listed(capsys)[0]
    assert (newest["reason"], newest["status"], newest["group_key"]) == (
        "replay",
        "pending",
        "webhooks|11200|b",
    )
    assert [row["id"] for row in listed(capsys, "--failed")] == [3]


def test_replay_failed_queues_every_failed_one_and_none_stays_listed_as_failed(
    store: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", "--failed"]) == 0
    assert capsys.readouterr().out == "queued 2 notification(s) for replay\n"
    assert listed(capsys, "--failed") == []
    replays = [row for row in listed(capsys) if row["reason"] == "replay"]
    assert sorted(str(row["group_key"]) for row in replays) == [
        "webhooks|11200|b",
        "webhooks|11200|c",
    ]


def test_replay_of_an_unknown_id_says_so(store: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "999"]) == 1
    assert capsys.readouterr().err == "notifier: error: no notification with id 999\n"


def test_a_remote_error_text_shows_its_controls_as_escapes_and_json_keeps_it_exact(
    store: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    error = "SMTP 554: \x1b[2J\x9b31m\u202eevil\nfake row"
    with store.begin() as conn:
        mark_failed(conn, [3], error)

    assert main(["notifications", "--failed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("(SMTP 554: \\x1b[2J\\x9b31m\\u202eevil\\nfake row)")
    assert len(lines) == 2
    assert main(["notifications", "--json"]) == 0
    raw = capsys.readouterr().out
    assert not {"\x1b", "\x9b", "\u202e"} & set(raw)
    assert json.loads(raw)[0]["last_error"] == error


def test_a_receiver_with_two_channels_has_one_row_per_channel_naming_it(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("DATABASE_URL", database_url)
    ops = Receiver("ops", (SlackApiConfig("#alerts"), EmailConfig(("oncall@example.com",))))
    queue(engine, make_notice("webhooks|11200", "ops"), rules=rules_of(ops))
    rows = listed(capsys)
    assert [(row["receiver"], row["channel"]) for row in rows] == [
        ("ops", "email:oncall@example.com"),
        ("ops", "slack:#alerts"),
    ]


def test_replay_failed_is_recorded_in_the_audit_as_the_cli_user(
    store: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "carol")
    assert main(["replay", "--failed"]) == 0
    capsys.readouterr()

    assert main(["audit", "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert (entry["action"], entry["who"], entry["origin"]) == ("replay", "carol", "cli")
    assert (entry["target"], entry["detail"]) == ("2 notifications", "ids 2, 3")
