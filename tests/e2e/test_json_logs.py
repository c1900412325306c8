"""LOG_FORMAT=json: the line about a failed delivery names the delivery, its receiver and its
alert group, so that a log drain can follow them."""

import json
import time
from pathlib import Path
from typing import Any

import pytest
from fakes.bot import bot_env, serving
from fakes.slack import FakeSlack
from fakes.webhooks import send_until_refused

pytestmark = pytest.mark.e2e

RULES = """
[receivers.ops]
slack = { channel = "#alerts" }
[[routes]]
name = "all"
match = {}
receivers = ["ops"]
"""


def json_lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def failure_logged(log: Path, seconds: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        failed = [entry for entry in json_lines(log) if "failed" in entry["message"]]
        if failed:
            return failed[0]
        time.sleep(0.1)
    raise AssertionError(f"no failed delivery was logged:\n{log.read_text()}")


def test_a_failed_delivery_logs_its_delivery_receiver_and_group_as_json(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        slack.error("channel_not_found")  # a refusal: the delivery fails at once
        env = bot_env(
            tmp_path,
            f"sqlite:///{tmp_path / 'store.db'}",
            RULES,
            SLACK_BOT_TOKEN=slack.token,
            SLACK_API_URL=slack.api_url,
            LOG_FORMAT="json",
        )
        with serving(env, tmp_path) as bot:
            send_until_refused(bot.url, [7], acknowledged := [])
            entry = failure_logged(bot.log)

    assert acknowledged and entry["level"] == "warning"
    assert entry["delivery_id"] == 1 and entry["receiver"] == "ops" and entry["route"] == "all"
    assert entry["group_key"] == "all|error_code=11200|account_sid=AC" + "0" * 32
    assert slack.token not in json.dumps(entry)
