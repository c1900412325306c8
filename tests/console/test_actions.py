"""The console's actions go through notifier.actions: done, audited as the console, refused
without a CSRF token, and a mistake named in words."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

from fakes.console import console_client, login, process, store
from sqlalchemy import Connection, select

from notifier.actions import AuditAction, Origin, audit_entries
from notifier.app import Runtime
from notifier.store.engine import make_engine
from notifier.store.schema import notifications
from notifier.store.silences import all_silences

GROUP = "webhooks|error_code=11200|account_sid=AC" + "a" * 32


def audit(runtime: Runtime) -> list[tuple[Origin, str, AuditAction, str]]:
    with connected(runtime) as conn:
        return [(e.origin, e.who, e.action, e.target) for e in audit_entries(conn)]


def silences(runtime: Runtime) -> list[tuple[dict[str, str], str | None, str]]:
    with connected(runtime) as conn:
        return [(s.matchers, s.route, s.comment) for s in all_silences(conn)]


@contextlib.contextmanager
def connected(runtime: Runtime) -> Iterator[Connection]:
    """A connection of its own: the app's engine is disposed when its client closes."""
    engine = make_engine(runtime.settings.database_url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def test_silence_a_group_for_an_hour_from_its_page(tmp_path: Path, database_url: str) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        store(runtime, {"error_code": "11200"})
        process(runtime)
        csrf = login(client)
        answer = client.post(
            "/console/group/silence", data={"csrf": csrf, "key": GROUP, "duration": "1h"}
        )
        page = client.get(answer.headers["location"])

    assert answer.status_code == 303
    assert "Silence 1 added for 1h." in page.text
    assert "Silenced until" in page.text
    assert "by console (testclient)" in page.text
    assert silences(runtime) == [
        (
            {"error_code": "11200", "account_sid": "AC" + "a" * 32},
            "webhooks",
            "silenced from the web console",
        )
    ]
    assert audit(runtime) == [
        (Origin.CONSOLE, "console (testclient)", AuditAction.SILENCE, "silence 1")
    ]


def test_acknowledge_a_group_is_audited(tmp_path: Path, database_url: str) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        store(runtime, {"error_code": "11200"})
        process(runtime)
        csrf = login(client)
        answer = client.post("/console/group/acknowledge", data={"csrf": csrf, "key": GROUP})
        page = client.get(answer.headers["location"])
        again = client.post("/console/group/acknowledge", data={"csrf": csrf, "key": GROUP})
        listed = client.get("/console/audit").text

    assert answer.status_code == 303
    assert "Acknowledged by console (testclient)" in page.text
    assert "console (testclient)" in listed
    assert ">acknowledge<" in listed
    assert ">Acknowledge</button>" not in page.text
    assert audit(runtime) == [
        (Origin.CONSOLE, "console (testclient)", AuditAction.ACKNOWLEDGE, f"group {GROUP}")
    ]
    assert again.status_code == 400
    assert "already acknowledged" in again.text


def test_replay_queues_the_notification_again_marked_replay(
    tmp_path: Path, database_url: str
) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        store(runtime, {"error_code": "11200"})
        process(runtime)
        with runtime.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE notifications SET status = 'failed'")
        csrf = login(client)
        answer = client.post("/console/notifications/1/replay", data={"csrf": csrf})
        with runtime.engine.connect() as conn:
            rows = conn.execute(
                select(notifications.c.id, notifications.c.reason, notifications.c.status).order_by(
                    notifications.c.id
                )
            ).all()

    assert answer.status_code == 303
    assert [tuple(row) for row in rows] == [(1, "first", "replayed"), (2, "replay", "pending")]
    assert audit(runtime)[0][2:] == (AuditAction.REPLAY, "notification 1")


def test_replaying_an_unknown_notification_says_so(tmp_path: Path, database_url: str) -> None:
    with console_client(tmp_path, database_url) as (client, _):
        csrf = login(client)
        answer = client.post("/console/notifications/99/replay", data={"csrf": csrf})

    assert answer.status_code == 400
    assert "no notification with id 99" in answer.text


def test_add_a_silence_from_field_values_then_expire_it(tmp_path: Path, database_url: str) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        csrf = login(client)
        added = client.post(
            "/console/silences",
            data={
                "csrf": csrf,
                "matchers": "error_code=11200\naccount_sid=AC1",
                "duration": "4h",
                "comment": "deploy <b>window</b>",
            },
        )
        listed = client.get("/console/silences").text
        expired = client.post("/console/silences/1/expire", data={"csrf": csrf})
        after = client.get("/console/silences").text

    assert added.status_code == 303
    assert "deploy &lt;b&gt;window&lt;/b&gt;" in listed
    assert 'In force <span class="count">1</span>' in listed
    assert expired.status_code == 303
    assert "No silence in force" in after
    assert [entry[2] for entry in audit(runtime)] == [AuditAction.EXPIRE, AuditAction.SILENCE]


def test_a_bad_matcher_is_named(tmp_path: Path, database_url: str) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        csrf = login(client)
        answer = client.post(
            "/console/silences",
            data={"csrf": csrf, "matchers": "error_code", "duration": "1h", "comment": "x"},
        )

    assert answer.status_code == 400
    assert "matchers: &#39;error_code&#39; is not field=value" in answer.text
    assert silences(runtime) == []


def test_an_action_without_the_csrf_token_changes_nothing(
    tmp_path: Path, database_url: str
) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        store(runtime, {"error_code": "11200"})
        process(runtime)
        login(client)
        answer = client.post("/console/group/silence", data={"key": GROUP, "duration": "1h"})

    assert answer.status_code == 403
    assert silences(runtime) == []
    assert audit(runtime) == []
