from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.digests import store_event
from fakes.slack import FakeSlack

from notifier.cli import main
from notifier.store.engine import make_engine
from notifier.store.migrations import migrate

RULES = """
[receivers.local]
console = {}
[receivers.ops]
slack = { channel = "#ops" }

[[digests]]
name = "morning"
schedule = "0 9 * * mon-fri"
receivers = ["local", "ops"]
period = "1d"
"""


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("RULES_FILE", str(tmp_path / "rules.toml"))
    engine = make_engine(url)
    migrate(engine)
    store_event(engine, datetime.now(UTC) - timedelta(hours=1), error_code="11200")
    engine.dispose()
    return url


def test_dry_run_prints_the_digest_of_the_current_period(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["digest", "morning", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Digest morning: ")
    assert "Events: 1 (new vs 0 the period before)" in out
    assert "not available yet" not in out


def test_send_prints_for_console_and_says_why_slack_was_not_sent(
    store: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert main(["digest", "morning"]) == 1
    captured = capsys.readouterr()
    assert "  11200 NEW: 1 (new)" in captured.out
    assert captured.err.endswith('digest morning: not sent to "ops": SLACK_BOT_TOKEN is not set\n')


def test_send_posts_the_digest_to_slack(
    store: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSlack() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        assert main(["digest", "morning"]) == 0
        (message,) = slack.messages
    assert message["channel"] == "#ops"
    assert message["blocks"][0]["text"]["text"] == "Digest morning"
    assert capsys.readouterr().err == ""


def test_a_manual_run_does_not_claim_the_scheduled_period(store: str) -> None:
    main(["digest", "morning"])  # 1: the Slack receiver has no token here
    engine = make_engine(store)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM digest_runs").scalar_one() == 0
    engine.dispose()


def test_an_unknown_digest_names_the_ones_there_are(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["digest", "evening", "--dry-run"]) == 1
    assert 'no digest named "evening" in the rules (digests: morning)' in capsys.readouterr().err
