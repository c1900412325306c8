import json
import logging
import subprocess
import sys

import pytest

from notifier.errors import UserError
from notifier.logs import JsonFormatter
from notifier.settings import Settings


def record(**extra: object) -> logging.LogRecord:
    made = logging.LogRecord(
        "notifier.delivery", logging.WARNING, __file__, 1, "sent %s", ("x",), None
    )
    made.__dict__.update(extra)
    return made


def test_json_line_carries_time_level_logger_message_and_context_ids() -> None:
    line = JsonFormatter().format(record(delivery_id=42, group_key="route:11200"))

    entry = json.loads(line)

    assert entry["level"] == "warning" and entry["logger"] == "notifier.delivery"
    assert entry["message"] == "sent x"
    assert entry["delivery_id"] == 42 and entry["group_key"] == "route:11200"
    assert entry["time"].endswith("+00:00")


def test_json_line_holds_a_traceback_on_one_line() -> None:
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        made = record(exc_info=sys.exc_info())
        made.exc_info = sys.exc_info()

    line = JsonFormatter().format(made)

    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["traceback"]


def test_bad_log_format_names_the_variable_and_value() -> None:
    with pytest.raises(UserError, match="LOG_FORMAT must be text or json, not 'yaml'"):
        Settings.from_env({"LOG_FORMAT": "yaml"})


def test_a_command_logs_json_lines_when_asked() -> None:
    program = (
        "import logging; from notifier.cli.common import settings_from_env; "
        "settings_from_env(); logging.getLogger('notifier').warning('hello', extra={'route': 'r'})"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        env={"LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        check=True,
    )

    entry = json.loads(done.stderr)
    assert entry["message"] == "hello" and entry["route"] == "r"
