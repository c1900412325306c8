import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.cli import database_fixture
from fakes.digests import store_event
from fakes.events import PROD
from fakes.rules import CONSOLE_RULES

from notifier.cli import main
from notifier.events import FIELD_NAMES
from notifier.store.engine import make_engine
from notifier.store.migrations import migrate

RULES = CONSOLE_RULES + f'[settings.accounts]\n{PROD} = "production"\n'


database = database_fixture(RULES)


def store(database: str, *received: datetime, **fields: object) -> list[int]:
    engine = make_engine(database)
    migrate(engine)
    try:
        return [store_event(engine, when, **fields) for when in received]
    finally:
        engine.dispose()


def events_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert main(["events", "--json", *args]) == 0
    rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return rows


def test_json_has_id_received_at_and_every_event_field_enriched(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    received = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    [event_id] = store(database, received, error_code="11200", account_sid=PROD)

    [row] = events_json(capsys)

    assert set(row) == {"id", "received_at", *FIELD_NAMES}
    assert row["id"] == event_id
    assert row["received_at"] == received.isoformat().replace("+00:00", "Z")
    assert row["time"] == row["received_at"]
    assert (row["source"], row["error_code"]) == ("debugger", "11200")
    assert row["account_name"] == "production"
    assert row["error_message"]  # from the error-code catalog


def test_since_leaves_out_older_events_and_lists_newest_first(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    old, recent, newest = store(
        database, now - timedelta(hours=3), now - timedelta(minutes=30), now - timedelta(minutes=1)
    )

    assert [row["id"] for row in events_json(capsys, "--since", "1h")] == [newest, recent]
    assert [row["id"] for row in events_json(capsys, "--since", "1d")] == [newest, recent, old]


def test_limit_keeps_the_newest(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC)
    ids = store(database, *(now - timedelta(minutes=m) for m in (3, 2, 1)))

    assert [row["id"] for row in events_json(capsys, "--limit", "2")] == ids[:0:-1]


def test_no_events_prints_an_empty_array_or_says_so(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert events_json(capsys) == []
    assert main(["events"]) == 0
    assert capsys.readouterr().out == "no events in that period\n"


def test_bad_since_exits_1(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--since", "yesterday"]) == 1
    assert "--since: " in capsys.readouterr().err


def test_an_unreadable_error_code_file_is_a_message_not_a_traceback(
    database: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("TWILIO_ERROR_CODES_FILE", str(tmp_path / "missing.json"))

    assert main(["events"]) != 0
    error = capsys.readouterr().err
    assert "TWILIO_ERROR_CODES_FILE" in error and "missing.json" in error
    assert "Traceback" not in error


HOSTILE = "\x1b]0;pwned\x07\x9b2J\u202eevil\nfake row"
TERMINAL_CONTROLS = {"\x1b", "\x07", "\x9b", "\u202e"}


def test_table_shows_twilio_controls_as_escapes_and_json_keeps_them_exact(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store(database, datetime.now(UTC) - timedelta(minutes=1), message=HOSTILE)

    assert main(["events"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.endswith("\\x1b]0;pwned\\x07\\x9b2J\\u202eevil\\nfake row")
    assert main(["events", "--json"]) == 0
    raw = capsys.readouterr().out
    assert not TERMINAL_CONTROLS & set(raw)
    assert json.loads(raw)[0]["message"] == HOSTILE
