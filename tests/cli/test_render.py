import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import ERROR_CODES_FILE
from fakes.samples import CREDIT_OVERDRAFT, DAILY_THRESHOLD, DOCS_CURL, REAL_30007, SIP_32009

from notifier.cli import main
from notifier.events import Event
from notifier.render.block_kit import MAX_BLOCKS, MAX_FIELDS, MAX_HEADER, MAX_SECTION

RULES = """
[receivers.ops]
slack = { channel = "#alerts" }
[receivers.mail]
email = { to = ["ops@example.com"], subject_prefix = "[twilio]" }
[receivers.local]
console = {}
[receivers.both]
slack = { channel = "#alerts" }
console = {}
"""
SAMPLES = {
    "docs-11200": DOCS_CURL,
    "real-30007": REAL_30007,
    "sip-32009": SIP_32009,
    "usage-credit-overdraft": CREDIT_OVERDRAFT,
    "usage-daily-threshold": DAILY_THRESHOLD,
}
HOSTILE = "<!channel> <https://evil.example|click> & co\r\nBcc: victim@example.com\x00"


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    monkeypatch.setenv("RULES_FILE", str(rules))
    monkeypatch.setenv("TWILIO_ERROR_CODES_FILE", str(ERROR_CODES_FILE))
    monkeypatch.setenv("EMAIL_FROM", "bot@example.com")


def body_file(tmp_path: Path, fields: dict[str, str]) -> str:
    path = tmp_path / "event.txt"
    path.write_text(urlencode(fields), encoding="utf-8")
    return str(path)


def hostile_event_file(tmp_path: Path) -> str:
    at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    event = Event(source="debugger", time=at, error_code="11200", level="error", message=HOSTILE)
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event.to_json()), encoding="utf-8")
    return str(path)


def render_slack(capsys: pytest.CaptureFixture[str], event_file: str) -> dict[str, Any]:
    assert main(["render", "--event", event_file, "--receiver", "ops"]) == 0
    message: dict[str, Any] = json.loads(capsys.readouterr().out)
    return message


def texts(block: Any) -> list[str]:
    if isinstance(block, dict):
        return [v for k, v in block.items() if k == "text" and isinstance(v, str)] + [
            t for v in block.values() for t in texts(v)
        ]
    if isinstance(block, list):
        return [t for item in block for t in texts(item)]
    return []


@pytest.mark.parametrize("fields", SAMPLES.values(), ids=SAMPLES.keys())
def test_every_sample_renders_slack_blocks_within_limits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fields: dict[str, str]
) -> None:
    message = render_slack(capsys, body_file(tmp_path, fields))
    blocks = message["blocks"]
    assert message["text"] and 0 < len(blocks) <= MAX_BLOCKS
    assert blocks[0]["type"] == "header" and len(blocks[0]["text"]["text"]) <= MAX_HEADER
    assert all(len(b.get("fields", [])) <= MAX_FIELDS for b in blocks)
    assert all(
        len(b["text"]["text"]) <= MAX_SECTION
        for b in blocks
        if b["type"] == "section" and "text" in b
    )
    assert "*Reason*\nfirst" in texts(blocks)


def test_render_of_a_debugger_sample_names_the_code_and_catalog_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = render_slack(capsys, body_file(tmp_path, DOCS_CURL))
    assert message["blocks"][0]["text"]["text"] == ":red_circle: ERROR 11200 HTTP retrieval failure"
    assert "*Route*\nrender" in texts(message["blocks"])


def test_hostile_text_stays_escaped_in_slack_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = render_slack(capsys, hostile_event_file(tmp_path))
    everything = "\n".join(texts(message))
    assert "<!channel>" not in everything and "<https://evil" not in everything
    assert "&lt;!channel&gt;" in everything


def test_slack_form_shows_no_terminal_control_raw_and_stays_exact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    controls = "del\x7f csi\x9b[2J rlo\u202eevil"
    at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    event = Event(source="debugger", time=at, error_code="11200", level="error", message=controls)
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event.to_json()), encoding="utf-8")

    assert main(["render", "--event", str(path), "--receiver", "ops"]) == 0
    out = capsys.readouterr().out

    assert not set(out) & {"\x7f", "\x9b", "\u202e"}
    assert controls in json.dumps(json.loads(out), ensure_ascii=False)


def test_hostile_text_never_adds_an_email_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", "--event", hostile_event_file(tmp_path), "--receiver", "mail"]) == 0
    headers, _, text = capsys.readouterr().out.partition("\n\n")
    assert headers.splitlines()[0].startswith("Subject: [twilio] [error] 11200")
    assert "To: ops@example.com" in headers.splitlines()
    assert not any(line.startswith("Bcc") for line in headers.splitlines())
    assert "\x00" not in text and "<!channel>" in text  # plain text needs no escaping


def test_email_html_part_is_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["render", "--event", hostile_event_file(tmp_path), "--receiver", "mail", "--html"]
    assert main(argv) == 0
    html = capsys.readouterr().out.partition("--- HTML part ---")[2]
    assert "&lt;!channel&gt;" in html and "<!channel>" not in html


def test_console_receiver_prints_the_console_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", "--event", body_file(tmp_path, REAL_30007), "--receiver", "local"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("== ERROR 30007") and "Reason:" in out


def test_without_receiver_all_three_forms_are_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", "--event", body_file(tmp_path, SIP_32009)]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("=====")] == [
        "===== (slack) =====",
        "===== (email) =====",
        "===== (console) =====",
    ]


def test_a_receiver_with_two_channels_prints_each_under_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", "--event", body_file(tmp_path, REAL_30007), "--receiver", "both"]) == 0
    out = capsys.readouterr().out
    titles = [line for line in out.splitlines() if line.startswith("=====")]
    assert titles == ["===== both: slack:#alerts =====", "===== both: console ====="]
    assert '"blocks": [' in out and "== ERROR 30007" in out


def test_unknown_receiver_is_named_with_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", "--event", body_file(tmp_path, REAL_30007), "--receiver", "opz"]) == 1
    err = capsys.readouterr().err
    assert (
        err == "notifier: error: --receiver: no receiver 'opz' in the rules "
        "(known: both, local, mail, ops)\n"
    )


def test_unreadable_event_file_is_a_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", "--event", str(tmp_path / "missing.txt")]) == 1
    assert "cannot read the event" in capsys.readouterr().err


def events_json_file(tmp_path: Path, *codes: str) -> str:
    """A file of `notifier events --json` output: an array of the stored events."""
    at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    entries = [
        {"id": n, "received_at": "2024-05-01T12:00:01Z", **event.to_json()}
        for n, event in enumerate(
            (Event(source="debugger", time=at, error_code=code, level="error") for code in codes),
            start=1,
        )
    ]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    return str(path)


def test_events_json_output_of_one_event_renders_that_event(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = render_slack(capsys, events_json_file(tmp_path, "11200"))

    assert message["blocks"][0]["text"]["text"] == ":red_circle: ERROR 11200 HTTP retrieval failure"


def test_events_json_output_of_several_events_exits_1_saying_one_is_expected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = events_json_file(tmp_path, "11200", "30007")

    assert main(["render", "--event", path, "--receiver", "ops"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        f"notifier: error: {path}: one event is expected, the file holds 2"
    )


def test_what_to_try_comes_from_the_configured_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = tmp_path / "codes.json"
    entry = {"code": 11200, "message": "Own words", "causes": "* A cause only this copy has"}
    codes.write_text(json.dumps([entry]), encoding="utf-8")
    monkeypatch.setenv("TWILIO_ERROR_CODES_FILE", str(codes))

    message = render_slack(capsys, hostile_event_file(tmp_path))

    assert any("A cause only this copy has" in text for text in texts(message))
