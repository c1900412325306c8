"""`notifier doctor` against a real FakeSlack, aiosmtpd and store: each failure it claims to
detect, found and explained, and a working deployment passing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult
from fakes.bot import free_port
from fakes.slack import DEFAULT_SCOPES, FakeSlack
from fakes.smtp import Inbox, smtp_server
from sqlalchemy import Engine

from notifier.cli import main
from notifier.store.engine import make_engine
from notifier.store.migrations import MIGRATIONS, migrate, stored_version, upgrade

SLACK_TOKEN = "xoxb-doctor-secret"
TWILIO_TOKEN = "0123456789abcdef0123456789abcdef"
SMTP_PASSWORD = "hunter2-smtp-secret"
HOOK_SECRET = "hook-secret-part"
RULES = f"""
[receivers.ops]
slack = {{ channel = "#alerts" }}
email = {{ to = ["ops@example.com"] }}
[receivers.hook]
slack = {{ webhook_url = "https://hooks.slack.com/services/T000/B000/{HOOK_SECRET}" }}
"""
SECRETS = (SLACK_TOKEN, TWILIO_TOKEN, SMTP_PASSWORD, HOOK_SECRET)


class Mailbox(Inbox):
    """Accepts the login bot / SMTP_PASSWORD only (aiosmtpd's authenticator hook)."""

    def authenticate(self, server: Any, session: Any, envelope: Any, mech: str, data: Any) -> Any:
        accepted = data.login == b"bot" and data.password == SMTP_PASSWORD.encode()
        return AuthResult(success=accepted, handled=False)


@dataclass
class World:
    slack: FakeSlack
    inbox: Mailbox
    smtp_port: int
    tmp: Path
    env: pytest.MonkeyPatch

    def rules(self, text: str) -> None:
        (self.tmp / "rules.toml").write_text(text, encoding="utf-8")


def _store(url: str, version: int = len(MIGRATIONS)) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            upgrade(conn, version)
    finally:
        engine.dispose()


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A deployment where everything works: every check passes in it."""
    for name in ("ALLOW_UNSIGNED_LOOPBACK", "FORWARDED_ALLOW_IPS", "PORT",
                 "TWILIO_ERROR_CODES_FILE", "TWILIO_ERROR_CODES_REFRESH"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    inbox = Mailbox()
    smtp: dict[str, Any] = {"authenticator": inbox.authenticate, "auth_require_tls": False}
    with FakeSlack(SLACK_TOKEN) as slack, smtp_server(inbox, **smtp) as port:
        slack.add_channel("#alerts")
        world = World(slack, inbox, port, tmp_path, monkeypatch)
        world.rules(RULES)
        database = f"sqlite:///{tmp_path / 'world.db'}"
        _store(database)
        monkeypatch.setenv("DATABASE_URL", database)
        monkeypatch.setenv("RULES_FILE", str(tmp_path / "rules.toml"))
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
        monkeypatch.setenv("PUBLIC_URL", "https://alerts.example.com")
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
        monkeypatch.setenv("SMTP_URL", f"smtp://bot:{SMTP_PASSWORD}@127.0.0.1:{port}")
        monkeypatch.setenv("EMAIL_FROM", "bot@example.com")
        yield world


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """Runs `notifier doctor --json`; the exit code and the checks by name."""
    code = main(["doctor", "--json", *args])
    out = capsys.readouterr().out
    assert not [secret for secret in SECRETS if secret in out]
    report = json.loads(out)
    assert report["ok"] is (code == 0)
    return code, {check["name"]: check for check in report["checks"]}


def test_a_working_deployment_passes_every_check_and_exits_0(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "everything needed works"
    assert "PROBLEM" not in out and "WARNING" not in out
    assert "slack channel #alerts: #alerts (" in out and "@alertbot is a member" in out
    assert not [secret for secret in SECRETS if secret in out]
    # Checked without sending: no post, no mail.
    assert world.slack.messages == [] and world.inbox.messages == []


def test_json_is_one_object_of_named_checks_each_with_status_detail_and_fix(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, checks = doctor(capsys)
    assert code == 0
    assert list(checks) == [
        "twilio auth token", "public url", "store", "error catalog", "rules", "slack token",
        "slack scopes", "slack channel #alerts", "slack webhook hook (webhook:1)", "smtp",
    ]  # fmt: skip
    for check in checks.values():
        assert set(check) == {"name", "status", "detail", "fix"}
        assert check["status"] == "ok" and check["fix"] is None


def test_a_rejected_slack_token_is_a_problem_and_its_channels_are_not_looked_up(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.env.setenv("SLACK_BOT_TOKEN", "xoxb-wrong-token")
    code, checks = doctor(capsys)
    assert code == 1
    token = checks["slack token"]
    assert token["status"] == "problem" and "invalid_auth" in token["detail"]
    assert "SLACK_BOT_TOKEN" in token["fix"]
    assert "slack channel #alerts" not in checks
    assert "xoxb-wrong-token" not in json.dumps(checks)


def test_a_token_without_chat_write_is_a_problem_naming_the_scope(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeSlack(SLACK_TOKEN, scopes=DEFAULT_SCOPES - {"chat:write"}) as slack:
        slack.add_channel("#alerts")
        world.env.setenv("SLACK_API_URL", slack.api_url)
        code, checks = doctor(capsys)
    assert code == 1
    scopes = checks["slack scopes"]
    assert scopes["status"] == "problem" and "lacks chat:write" in scopes["detail"]
    assert "OAuth & Permissions" in scopes["fix"]


def test_a_token_without_history_scopes_is_a_warning_that_does_not_fail(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    without = DEFAULT_SCOPES - {"channels:history", "groups:history"}
    with FakeSlack(SLACK_TOKEN, scopes=without) as slack:
        slack.add_channel("#alerts")
        world.env.setenv("SLACK_API_URL", slack.api_url)
        code, checks = doctor(capsys)
    assert code == 0
    assert checks["slack scopes"]["status"] == "warning"
    assert "channels:history, groups:history" in checks["slack scopes"]["detail"]


def test_a_channel_slack_does_not_have_is_a_problem(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.rules('[receivers.ops]\nslack = { channel = "#alerst" }\n')
    code, checks = doctor(capsys)
    assert code == 1
    missing = checks["slack channel #alerst"]
    assert missing["status"] == "problem" and "no channel #alerst" in missing["detail"]
    assert "/invite @alertbot" in missing["fix"]


def test_a_channel_id_slack_does_not_have_is_a_problem(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.rules('[receivers.ops]\nslack = { channel = "C0NOSUCH01" }\n')
    code, checks = doctor(capsys)
    assert code == 1
    assert checks["slack channel C0NOSUCH01"]["status"] == "problem"


def test_a_channel_without_the_bot_is_a_problem_saying_how_to_invite_it(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.slack.add_channel("#alerts", member=False)
    code, checks = doctor(capsys)
    assert code == 1
    alerts = checks["slack channel #alerts"]
    assert alerts["status"] == "problem" and "not a member" in alerts["detail"]
    assert alerts["fix"] == "invite the bot: type /invite @alertbot in #alerts"


def test_a_channel_named_by_id_is_looked_up_with_conversations_info(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    channel = world.slack.channel_id("#alerts")
    world.rules(f'[receivers.ops]\nslack = {{ channel = "{channel}" }}\n')
    code, checks = doctor(capsys)
    assert code == 0 and checks[f"slack channel {channel}"]["status"] == "ok"
    assert "/api/conversations.info" in [r.path for r in world.slack.requests]


def test_a_webhook_url_that_is_not_slacks_is_a_problem_without_showing_it(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.rules(
        f'[receivers.hook]\nslack = {{ webhook_url = "https://example.com/{HOOK_SECRET}" }}\n'
    )
    code, checks = doctor(capsys)
    assert code == 1
    hook = checks["slack webhook hook (webhook:1)"]
    assert hook["status"] == "problem" and "https://example.com/..." in hook["detail"]


def test_an_unreachable_smtp_server_is_a_problem(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.env.setenv("SMTP_URL", f"smtp://bot:{SMTP_PASSWORD}@127.0.0.1:{free_port()}")
    code, checks = doctor(capsys)
    assert code == 1
    smtp = checks["smtp"]
    assert smtp["status"] == "problem" and "SMTP connection failed" in smtp["detail"]
    assert "host and port" in smtp["fix"]


def test_a_refused_smtp_login_is_a_problem_without_the_password(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.env.setenv("SMTP_URL", f"smtp://bot:wrong-{SMTP_PASSWORD}@127.0.0.1:{world.smtp_port}")
    code, checks = doctor(capsys)
    assert code == 1
    smtp = checks["smtp"]
    assert smtp["status"] == "problem" and "authentication failed" in smtp["detail"]
    assert "password" in smtp["fix"]
    assert world.inbox.messages == []


def test_implicit_tls_to_a_server_without_tls_is_a_problem(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.env.setenv("SMTP_URL", f"smtps://bot:{SMTP_PASSWORD}@127.0.0.1:{world.smtp_port}")
    code, checks = doctor(capsys)
    assert code == 1
    smtp = checks["smtp"]
    assert smtp["status"] == "problem" and "implicit TLS" in smtp["detail"]
    assert "smtps:// with 465" in smtp["fix"]


def test_missing_email_settings_are_a_problem_when_a_receiver_sends_email(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.env.delenv("EMAIL_FROM")
    code, checks = doctor(capsys)
    assert code == 1 and checks["smtp"]["detail"] == "EMAIL_FROM is not set"


def test_invalid_rules_are_a_problem_and_the_receivers_are_not_checked(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.rules('[receivers.ops]\nslack = { channel = "#alerts" }\n[[routes]]\nbogus = 1\n')
    code, checks = doctor(capsys)
    assert code == 1
    rules = checks["rules"]
    assert rules["status"] == "problem" and "rules.toml:" in rules["detail"]
    assert rules["fix"].startswith("run `notifier check ")
    assert checks["slack token"]["status"] == "skipped"
    assert world.slack.requests == []


@pytest.mark.parametrize(
    ("token", "words"),
    [
        pytest.param(None, "not set", id="missing"),
        pytest.param(TWILIO_TOKEN[:-1], "token 1 (31 characters) of 1", id="short"),
        pytest.param(f"{TWILIO_TOKEN},{'x' * 32}", "token 2 (32 characters) of 2", id="not-hex"),
    ],
)
def test_a_missing_or_malformed_twilio_token_is_a_problem(
    world: World, capsys: pytest.CaptureFixture[str], token: str | None, words: str
) -> None:
    if token is None:
        world.env.delenv("TWILIO_AUTH_TOKEN")
    else:
        world.env.setenv("TWILIO_AUTH_TOKEN", token)
    code, checks = doctor(capsys)
    assert code == 1
    found = checks["twilio auth token"]
    assert found["status"] == "problem" and words in found["detail"]


def test_development_mode_is_reported_as_not_for_production(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.env.delenv("TWILIO_AUTH_TOKEN")
    world.env.setenv("ALLOW_UNSIGNED_LOOPBACK", "1")
    code, checks = doctor(capsys)
    assert code == 1
    assert "development mode" in checks["twilio auth token"]["detail"]
    assert "not for production" in checks["twilio auth token"]["detail"]


def test_an_http_public_url_is_a_problem(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.env.setenv("PUBLIC_URL", "http://alerts.example.com")
    code, checks = doctor(capsys)
    assert code == 1
    found = checks["public url"]
    assert found["status"] == "problem" and "not https" in found["detail"]
    assert found["fix"] == "set PUBLIC_URL to https://alerts.example.com, as Twilio is given it"


def test_a_malformed_variable_is_reported_as_a_check_not_a_traceback(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.env.setenv("PUBLIC_URL", "alerts.example.com")
    code, checks = doctor(capsys)
    assert code == 1
    assert checks["environment"]["detail"].startswith("PUBLIC_URL is not an http(s) URL")


@pytest.mark.parametrize(
    ("version", "words"),
    [
        pytest.param(0, "reachable but empty", id="never-migrated"),
        pytest.param(8, f"schema v8, this version needs v{len(MIGRATIONS)}", id="behind"),
    ],
)
def test_a_store_not_migrated_to_this_version_is_a_problem_and_stays_as_it_was(
    world: World, capsys: pytest.CaptureFixture[str], database_url: str, version: int, words: str
) -> None:
    _store(database_url, version)
    world.env.setenv("DATABASE_URL", database_url)
    code, checks = doctor(capsys)
    assert code == 1
    store = checks["store"]
    assert store["status"] == "problem" and words in store["detail"]
    assert "notifier migrate" in store["fix"]
    engine: Engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert stored_version(conn) == version
        migrate(engine)
    finally:
        engine.dispose()
    assert doctor(capsys)[1]["store"]["status"] == "ok"


def test_a_missing_sqlite_file_is_a_problem_and_is_not_created(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = world.tmp / "nowhere.db"
    world.env.setenv("DATABASE_URL", f"sqlite:///{missing}")
    code, checks = doctor(capsys)
    assert code == 1 and "no such file" in checks["store"]["detail"]
    assert not missing.exists()


def test_an_unreachable_postgres_is_a_problem(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.env.setenv("DATABASE_URL", f"postgres://u:pg-secret@127.0.0.1:{free_port()}/x")
    code, checks = doctor(capsys)
    assert code == 1
    store = checks["store"]
    assert store["detail"].startswith("cannot reach postgresql+psycopg://u:***@127.0.0.1:")
    assert "pg-secret" not in json.dumps(checks)


def test_send_test_posts_one_message_to_each_receiver_channel(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = world.slack.webhook_url("T1/B1/secret")
    world.rules(RULES.replace(f"https://hooks.slack.com/services/T000/B000/{HOOK_SECRET}", hook))
    code, checks = doctor(capsys, "--send-test")
    assert code == 0
    sent = {name: check for name, check in checks.items() if name.startswith("send test")}
    assert set(sent) == {
        "send test ops (slack:#alerts)", "send test ops (email:ops@example.com)",
        "send test hook (webhook:1)",
    }  # fmt: skip
    assert all(check["status"] == "ok" for check in sent.values())
    assert len(world.slack.messages) == 2 and len(world.inbox.messages) == 1


def test_a_failed_send_test_is_a_problem(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.slack.error("is_archived")
    code, checks = doctor(capsys, "--send-test")
    assert code == 1
    assert checks["slack token"]["status"] == "problem"
    assert checks["send test ops (slack:#alerts)"]["status"] == "problem"


def test_without_lookup_scopes_channels_are_skipped_not_failed(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeSlack(SLACK_TOKEN, scopes=DEFAULT_SCOPES - {"channels:read"}) as slack:
        world.env.setenv("SLACK_API_URL", slack.api_url)
        code, checks = doctor(capsys)
    assert code == 0
    assert checks["slack scopes"]["status"] == "warning"
    alerts = checks["slack channel #alerts"]
    assert alerts["status"] == "skipped" and "lacks channels:read" in alerts["detail"]


def test_a_bot_outside_a_public_channel_with_chat_write_public_is_only_a_warning(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeSlack(SLACK_TOKEN, scopes=DEFAULT_SCOPES | {"chat:write.public"}) as slack:
        slack.add_channel("#alerts", member=False)
        world.env.setenv("SLACK_API_URL", slack.api_url)
        code, checks = doctor(capsys)
    assert code == 0
    assert checks["slack channel #alerts"]["status"] == "warning"
