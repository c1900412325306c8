from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.bot import free_port
from fakes.slack import FakeSlack
from fakes.smtp import Inbox, smtp_server

from notifier.cli import main

TOKEN = "xoxb-fake-token"


@pytest.fixture
def slack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    rules = tmp_path / "rules.toml"
    rules.write_text('[receivers.ops]\nslack = { channel = "#alerts" }\n', encoding="utf-8")
    monkeypatch.setenv("RULES_FILE", str(rules))
    with FakeSlack(TOKEN) as fake:
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
        yield fake


def test_slack_test_checks_the_token_and_posts_to_the_receivers_channel(
    slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["slack", "test"]) == 0
    assert capsys.readouterr().out == "OK: posted a test message to #alerts\n"
    assert [r.path for r in slack.requests] == ["/api/auth.test", "/api/chat.postMessage"]
    assert slack.messages[0]["channel"] == "#alerts"


def test_slack_test_posts_to_the_given_channel(
    slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["slack", "test", "--channel", "#other"]) == 0
    assert slack.messages[0]["channel"] == "#other"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        pytest.param(
            "not_in_channel",
            "the bot is not in #alerts: invite it with /invite @yourbot",
            id="not-in-channel-says-how-to-invite",
        ),
        pytest.param(
            "channel_not_found", "channel_not_found: #alerts does not exist", id="channel-not-found"
        ),
        pytest.param("fatal_error", "Slack answered: fatal_error", id="other-errors-named"),
    ],
)
def test_slack_errors_are_reported_in_words(
    slack: FakeSlack, capsys: pytest.CaptureFixture[str], error: str, words: str
) -> None:
    slack.error(error)
    assert main(["slack", "test"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"Slack test failed: {words}")
    assert TOKEN not in out


def test_rejected_token_is_reported_without_the_token(
    slack: FakeSlack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-wrong-secret")
    assert main(["slack", "test"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Slack test failed: Slack rejected the token (invalid_auth)")
    assert "xoxb-wrong-secret" not in out
    assert slack.messages == []


def test_missing_token_is_reported_before_any_request(
    slack: FakeSlack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    assert main(["slack", "test"]) == 1
    assert capsys.readouterr().out == "Slack test failed: SLACK_BOT_TOKEN is not set\n"
    assert slack.requests == []


def test_webhook_receiver_posts_without_showing_the_url(
    slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    rules = tmp_path / "hook.toml"
    url = slack.webhook_url("T1/B1/secret")
    rules.write_text(f'[receivers.hook]\nslack = {{ webhook_url = "{url}" }}\n', encoding="utf-8")
    monkeypatch.setenv("RULES_FILE", str(rules))
    slack.fail_next(1, status=404, body="no_service")
    assert main(["slack", "test", "--receiver", "hook"]) == 1
    assert main(["slack", "test", "--receiver", "hook"]) == 0
    out = capsys.readouterr().out
    assert "HTTP 404 no_service" in out and "secret" not in out
    assert len(slack.messages) == 1


@pytest.fixture
def email_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_FROM", "bot@example.com")


def test_email_test_sends_one_message(
    email_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
        assert main(["email", "test", "--to", "ops@example.com"]) == 0
    assert capsys.readouterr().out.startswith("OK: sent a test email to ops@example.com via")
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["ops@example.com"] and envelope.mail_from == "bot@example.com"


def test_refused_connection_is_reported_in_words(
    email_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMTP_URL", f"smtp://user:hunter2-secret@127.0.0.1:{free_port()}")
    assert main(["email", "test", "--to", "ops@example.com"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("email test failed via 127.0.0.1:")
    assert "SMTP connection failed" in out and "hunter2-secret" not in out


@pytest.mark.parametrize(
    ("variable", "words"),
    [("SMTP_URL", "SMTP_URL is not set"), ("EMAIL_FROM", "EMAIL_FROM is not set")],
)
def test_missing_email_settings_are_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, words: str
) -> None:
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:2525")
    monkeypatch.setenv("EMAIL_FROM", "bot@example.com")
    monkeypatch.delenv(variable)
    assert main(["email", "test", "--to", "ops@example.com"]) == 1
    assert capsys.readouterr().out == f"email test failed: {words}\n"
