import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fakes.cli import OPS_AND_FINANCE, database_fixture
from fakes.digests import store_event
from fakes.events import PROD, TEST

from notifier.cli import main
from notifier.store.engine import make_engine
from notifier.store.migrations import migrate

RULES = (
    OPS_AND_FINANCE
    + f"""
[[routes]]
name = "ignore-test-account"
match = {{ account_sid = "{TEST}" }}
drop = true

[[routes]]
name = "webhook-failures"
match = {{ error_code = ["11200-11299"] }}
receivers = ["ops", "finance"]
threshold = {{ count = 5, within = "10m" }}
continue = true

[[routes]]
name = "everything-else"
match = {{}}
"""
)
WEBHOOKS_KEY = f"webhook-failures|error_code=11200|account_sid={PROD}"


database = database_fixture(RULES)


def routes_test(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["routes", "test", *args]) == 0
    return capsys.readouterr().out


def test_fields_show_each_matched_route_with_receivers_and_group_key(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = routes_test(capsys, "error_code=11200", f"account_sid={PROD}")

    assert out.splitlines() == [
        "route 'webhook-failures' (continue)",
        "  receivers:  ops, finance",
        f"  group key:  {WEBHOOKS_KEY}",
        "  now:        held back: below threshold",
        "  threshold:  5 within 10m; 0 recent event(s) in this group",
        "route 'everything-else'",
        "  receivers:  ops",
        f"  group key:  everything-else|error_code=11200|account_sid={PROD}",
        "  now:        would be alerted (first)",
    ]


def test_dropped_account_says_dropped_and_stops(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = routes_test(capsys, "error_code=11200", f"account_sid={TEST}")

    assert out.count("route ") == 1
    assert "route 'ignore-test-account'" in out
    assert "now:        dropped" in out


def test_active_silence_shows_as_silenced(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["silence", "add", "error_code=30007", "--for", "1h", "--comment", "x"]) == 0
    capsys.readouterr()

    out = routes_test(capsys, "error_code=30007", f"account_sid={PROD}")

    assert "route 'everything-else'" in out
    assert "now:        silenced" in out


def test_event_file_as_printed_by_events_json_is_routed(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = {"source": "debugger", "time": "2024-06-04T12:00:00Z", "error_code": "11205"}
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"id": 7, **event, "account_sid": PROD}))

    out = routes_test(capsys, "--event", str(path))

    assert f"group key:  webhook-failures|error_code=11205|account_sid={PROD}" in out


def test_event_file_with_a_webhook_form_body_is_routed(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = json.dumps({"error_code": "30007", "resource_sid": "SM" + "1" * 32})
    body = urlencode(
        {
            "AccountSid": PROD,
            "Level": "ERROR",
            "Payload": payload,
            "Timestamp": "2024-06-04T12:00:00Z",
            "Sid": "NO" + "2" * 32,
        }
    )
    path = tmp_path / "webhook.txt"
    path.write_text(body)

    out = routes_test(capsys, "--event", str(path))

    assert out.splitlines()[0] == "route 'everything-else'"
    assert f"everything-else|error_code=30007|account_sid={PROD}" in out


def test_stored_event_id_is_routed_and_shows_its_group(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(database)
    migrate(engine)
    event_id = store_event(engine, datetime.now(UTC), error_code="11200", account_sid=PROD)
    engine.dispose()

    out = routes_test(capsys, "--event", str(event_id))

    assert f"group key:  {WEBHOOKS_KEY}" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["eror_code=11200"],
            "'eror_code' is not an event field; fields are: source",
            id="unknown-field",
        ),
        pytest.param(["11200"], "'11200' is not FIELD=VALUE", id="not-an-assignment"),
        pytest.param(["--event", "999999"], "no stored event with id 999999", id="unknown-id"),
        pytest.param(
            ["error_code=1", "--event", "1"], "give either FIELD=VALUE pairs or --event", id="both"
        ),
    ],
)
def test_bad_input_exits_1_with_a_message(
    database: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["routes", "test", *args]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("notifier: error: ")
    assert message in captured.err


def test_missing_event_file_exits_1_naming_the_file(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.json"

    assert main(["routes", "test", "--event", str(missing)]) == 1
    assert f"{missing}: cannot read the event" in capsys.readouterr().err


def test_twilio_text_in_the_group_key_shows_its_controls_as_escapes(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = routes_test(capsys, "error_code=30007", "account_sid=AC\x1b[2J\u202eevil\nx")

    assert (
        "  group key:  everything-else|error_code=30007|account_sid=AC\\x1b[2J\\u202eevil\\nx\n"
        in out
    )
    assert not {"\x1b", "\u202e"} & set(out)
