"""Hot reload as the operator sees it: /readyz reports a bad edit, SIGHUP rereads the file."""

import contextlib
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.app import GOOD_RULES, app_client, write
from fakes.bot import bot_env, serving

BAD = GOOD_RULES + 'receivers = ["ops-slak"]\n'


def test_invalid_edit_keeps_serving_and_readyz_shows_the_located_error(
    tmp_path: Path, database_url: str
) -> None:
    with app_client(tmp_path, database_url) as (client, runtime, rules):
        write(rules, BAD, 1_000_060)
        runtime.rules.reload_if_changed()

        answer = client.get("/readyz")

    assert answer.status_code == 200
    body = answer.json()
    assert body["ready"] is True
    assert body["rules"] == "the last edit is invalid, previous rules in force"
    assert body["rules_error"] == f'{rules}:6: route "all": unknown receiver "ops-slak"'
    assert [route.name for route in runtime.rules.rules.routes] == ["all"]


def test_fixing_the_file_clears_rules_error_on_readyz(tmp_path: Path, database_url: str) -> None:
    with app_client(tmp_path, database_url) as (client, runtime, rules):
        write(rules, BAD, 1_000_060)
        runtime.rules.reload_if_changed()
        write(rules, GOOD_RULES + '\n[[routes]]\nname = "more"\n', 1_000_120)
        runtime.rules.reload_if_changed()

        body = client.get("/readyz").json()

    assert body == {"ready": True, "store": "ok", "rules": "ok"}
    assert [route.name for route in runtime.rules.rules.routes] == ["all", "more"]


def wait_for(check: Callable[[], bool], what: str, log: Path, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if check():
                return
        time.sleep(0.05)
    pytest.fail(f"{what} within {seconds} s:\n{log.read_text()}")


def readyz(base: str) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.get(f"{base}/readyz", timeout=1).json()
    return answer


@pytest.mark.e2e
def test_sighup_rereads_the_rules_and_readyz_reports_a_bad_edit(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    write(rules, GOOD_RULES, 1_000_000)
    env = bot_env(tmp_path, f"sqlite:///{tmp_path / 'store.db'}", rules, LOG_LEVEL="INFO")
    with serving(env, tmp_path) as bot:
        process, base, log = bot.process, bot.url, bot.log
        # Unchanged file: only SIGHUP (not the mtime/content poll) makes it reload and say so.
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: "rules reloaded from" in log.read_text(), "no reload on SIGHUP", log)

        write(rules, BAD, 1_000_060)
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: "rules_error" in readyz(base), "/readyz showed no rules_error", log)
        body = readyz(base)

        write(rules, GOOD_RULES, 1_000_120)
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: readyz(base)["rules"] == "ok", "the error stayed after the fix", log)

    assert body["ready"] is True
    assert 'unknown receiver "ops-slak"' in body["rules_error"]
    assert "previous rules stay in force" in log.read_text()
