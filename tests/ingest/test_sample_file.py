import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from notifier.errors import UserError
from notifier.events import Event
from notifier.ingest.sample_file import event_from_file

AT = datetime(2024, 6, 4, 12, 0, tzinfo=UTC)


def printed(event_id: int, error_code: str) -> dict[str, Any]:
    """An entry as `notifier events --json` prints it."""
    event = Event(source="debugger", time=AT, error_code=error_code, level="error")
    return {"id": event_id, "received_at": "2024-06-04T12:00:01Z", **event.to_json()}


def cloud_event(event_id: str) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "type": "com.twilio.error-logs.error.logged",
        "source": "/v1/error-logs",
        "id": event_id,
        "time": "2024-06-04T12:00:00Z",
        "data": {"error_code": "30003", "account_sid": "AC0001", "level": "WARNING"},
    }


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("data", "error_code"),
    [
        (printed(7, "11200"), "11200"),
        ([printed(7, "11205")], "11205"),
        (cloud_event("EV1"), "30003"),
        ([cloud_event("EV1")], "30003"),
    ],
    ids=[
        "one-entry-of-events-json",
        "events-json-output-of-one-event",
        "one-cloud-event",
        "array-of-one-cloud-event",
    ],
)
def test_a_file_with_one_event_gives_that_event(tmp_path: Path, data: Any, error_code: str) -> None:
    assert event_from_file(write(tmp_path, data)).error_code == error_code


@pytest.mark.parametrize(
    ("data", "found"),
    [
        ([printed(9, "11200"), printed(8, "11205"), printed(7, "30007")], "3"),
        ([cloud_event("EV1"), cloud_event("EV2")], "2"),
        ([], r"none \(an empty array\)"),
    ],
    ids=["events-json-output-of-three", "two-cloud-events", "empty-array"],
)
def test_a_file_without_exactly_one_event_is_refused_naming_the_file_and_count(
    tmp_path: Path, data: Any, found: str
) -> None:
    path = write(tmp_path, data)

    with pytest.raises(UserError, match=rf"^{path}: one event is expected, the file holds {found}"):
        event_from_file(path)


def test_the_refusal_says_how_to_get_one_event(tmp_path: Path) -> None:
    path = write(tmp_path, [printed(9, "11200"), printed(8, "11205")])

    with pytest.raises(UserError, match=r"`notifier events --json --limit 1` prints the newest"):
        event_from_file(path)
