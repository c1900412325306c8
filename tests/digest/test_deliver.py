"""Delivering a digest: one message per receiver on the console, Slack (API and webhook), email."""

from __future__ import annotations

import io
from typing import Any

from fakes.digests import at
from fakes.slack import FakeSlack
from fakes.smtp import Inbox, smtp_server
from sqlalchemy import Engine

from notifier.channels.result import Failed, Sent
from notifier.digest.build import CodeLine, DigestReport
from notifier.digest.deliver import DigestSender
from notifier.rules.model import Digest, Receiver, Rules
from notifier.settings import Settings

REPORT = DigestReport(
    "morning",
    at(10, 0),
    at(11, 0),
    total=3,
    by_level={"error": 3},
    by_source={"debugger": 3},
    codes=(CodeLine("11200", 3, 0, at(10, 1), at(10, 2), True, "<!channel>"),),
    new_codes=("11200",),
)


def rules_with(*receivers: Receiver) -> tuple[Rules, Digest]:
    names = tuple(receiver.name for receiver in receivers)
    digest = Digest("morning", "0 9 * * *", names)
    return Rules(receivers={r.name: r for r in receivers}, digests=(digest,)), digest


def send(engine: Engine, settings: Settings, *receivers: Receiver, out: Any = None) -> Any:
    rules, digest = rules_with(*receivers)
    return DigestSender(settings, engine, out)(REPORT, digest, rules)


def test_a_digest_is_one_slack_message_by_the_web_api(engine: Engine) -> None:
    with FakeSlack() as slack:
        settings = Settings(slack_bot_token=slack.token, slack_api_url=slack.api_url)
        outcomes = send(engine, settings, Receiver("ops", "slack", {"channel": "#ops"}))
        assert isinstance(outcomes["ops"], Sent)
        (message,) = slack.messages
        assert slack.updates == []
    assert message["channel"] == "#ops"
    assert "<!channel>" not in str(message["blocks"])
    assert message["text"].startswith("Digest morning: ")


def test_a_digest_goes_to_a_slack_webhook_too(engine: Engine) -> None:
    with FakeSlack() as slack:
        url = slack.webhook_url()
        outcomes = send(engine, Settings(), Receiver("hook", "slack", {"webhook_url": url}))
        assert outcomes == {"hook": Sent()}
        (request,) = slack.requests
    assert request.body["blocks"][0]["text"]["text"] == "Digest morning"


def test_a_slack_429_is_waited_out_then_the_digest_is_sent_once(engine: Engine) -> None:
    with FakeSlack() as slack:
        slack.rate_limit(1.0, "#ops")
        settings = Settings(slack_bot_token=slack.token, slack_api_url=slack.api_url)
        outcomes = send(engine, settings, Receiver("ops", "slack", {"channel": "#ops"}))
        assert isinstance(outcomes["ops"], Sent)
        assert len(slack.messages) == 1


def test_a_digest_is_one_email_with_text_and_html(engine: Engine) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        settings = Settings(smtp_url=f"smtp://127.0.0.1:{port}", email_from="bot@example.com")
        to = {"to": ["ops@example.com"], "subject_prefix": "[twilio]"}
        outcomes = send(engine, settings, Receiver("mail", "email", to))
    assert outcomes == {"mail": Sent()}
    (message,) = inbox.messages
    assert message["Subject"].startswith("[twilio] Digest morning: ")
    assert message["To"] == "ops@example.com"
    kinds = [part.get_content_type() for part in message.walk()]
    assert kinds == ["multipart/alternative", "text/plain", "text/html"]


def test_one_failing_receiver_never_stops_the_others(engine: Engine) -> None:
    out = io.StringIO()
    outcomes = send(
        engine,
        Settings(),  # no SLACK_BOT_TOKEN, no SMTP_URL
        Receiver("ops", "slack", {"channel": "#ops"}),
        Receiver("mail", "email", {"to": ["ops@example.com"]}),
        Receiver("local", "console", {}),
        out=out,
    )
    assert outcomes == {
        "ops": Failed("SLACK_BOT_TOKEN is not set"),
        "mail": Failed("SMTP_URL is not set"),
        "local": Sent(),
    }
    assert out.getvalue().startswith("Digest morning: ")


def test_an_unknown_receiver_is_reported_by_name(engine: Engine) -> None:
    rules, _ = rules_with()
    digest = Digest("morning", "0 9 * * *", ("ops-slak",))
    outcomes = DigestSender(Settings(), engine)(REPORT, digest, rules)
    assert outcomes == {"ops-slak": Failed('unknown receiver "ops-slak"')}


def test_a_slack_failure_names_no_token(engine: Engine) -> None:
    secret = "xoxb-secret-token"
    with FakeSlack(token=secret) as slack:
        slack.error("invalid_auth")
        settings = Settings(slack_bot_token=secret, slack_api_url=slack.api_url)
        outcomes = send(engine, settings, Receiver("ops", "slack", {"channel": "#ops"}))
    assert isinstance(outcomes["ops"], Failed)
    assert secret not in outcomes["ops"].reason
