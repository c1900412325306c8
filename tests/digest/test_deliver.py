"""Delivering a digest through the outbox: one message per receiver channel on the console,
Slack (API and webhook), email; recorded in the notification history."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from fakes import delivery
from fakes.digests import at
from fakes.slack import FakeSlack
from fakes.smtp import Inbox, smtp_server
from sqlalchemy import Engine

from notifier.delivery import Deliverer
from notifier.delivery.directory import Directory
from notifier.delivery.outcome import Failed, Paced, Sent
from notifier.delivery.transports import Transports
from notifier.digest.build import CodeLine, DigestReport
from notifier.digest.deliver import DigestQueue
from notifier.events import utcnow
from notifier.rules.model import Digest, Receiver, Rules
from notifier.settings import Settings
from notifier.store.outbox import receivers_of
from notifier.store.schema import notifications

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
    """Queues the digest and delivers it as a worker would, until no retry comes due within
    a few seconds; each receiver's last outcome by name."""
    rules, digest = rules_with(*receivers)
    transports = Transports.start(settings, engine, utcnow, out)
    ids = DigestQueue(engine, transports)(REPORT, digest, rules)
    deliverer = Deliverer(engine, Directory(rules, transports), utcnow)

    async def drain() -> dict[int, Paced]:
        results: dict[int, Paced] = {}
        try:
            for _ in range(20):
                due = [i for i in ids if not isinstance(results.get(i), Sent | Failed)]
                if not due:
                    break
                results.update(await deliverer.send_now(due))
                await asyncio.sleep(0.25)
        finally:
            await transports.aclose()
        return results

    results = asyncio.run(drain())
    with engine.connect() as conn:
        names = receivers_of(conn, ids)
    return {names[i]: outcome for i, outcome in results.items()}


def test_a_digest_is_one_slack_message_by_the_web_api(engine: Engine) -> None:
    with FakeSlack() as slack:
        settings = Settings(slack_bot_token=slack.token, slack_api_url=slack.api_url)
        outcomes = send(engine, settings, delivery.slack("ops", "#ops"))
        assert isinstance(outcomes["ops"], Sent)
        (message,) = slack.messages
        assert slack.updates == []
    assert message["channel"] == "#ops"
    assert "<!channel>" not in str(message["blocks"])
    assert message["text"].startswith("Digest morning: ")


def test_a_digest_goes_to_a_slack_webhook_too(engine: Engine) -> None:
    with FakeSlack() as slack:
        url = slack.webhook_url()
        outcomes = send(engine, Settings(), delivery.webhook("hook", url))
        assert outcomes == {"hook": Sent()}
        (request,) = slack.requests
    assert request.body["blocks"][0]["text"]["text"] == "Digest morning"


def test_a_slack_429_is_waited_out_then_the_digest_is_sent_once(engine: Engine) -> None:
    with FakeSlack() as slack:
        slack.rate_limit(1.0, "#ops")
        settings = Settings(slack_bot_token=slack.token, slack_api_url=slack.api_url)
        outcomes = send(engine, settings, delivery.slack("ops", "#ops"))
        assert isinstance(outcomes["ops"], Sent)
        assert len(slack.messages) == 1


def test_a_digest_is_one_email_with_text_and_html(engine: Engine) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        settings = Settings(smtp_url=f"smtp://127.0.0.1:{port}", email_from="bot@example.com")
        to = {"to": ["ops@example.com"]}
        outcomes = send(
            engine, settings, delivery.email("mail", *to["to"], subject_prefix="[twilio]")
        )
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
        delivery.slack("ops", "#ops"),
        delivery.email("mail", "ops@example.com"),
        delivery.console("local"),
        out=out,
    )
    assert outcomes == {
        "ops": Failed("SLACK_BOT_TOKEN is not set"),
        "mail": Failed("SMTP_URL is not set"),
        "local": Sent(),
    }
    assert out.getvalue().startswith("Digest morning: ")


def test_an_unknown_receiver_is_logged_by_name_and_nothing_queued_for_it(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    rules, _ = rules_with()
    digest = Digest("morning", "0 9 * * *", ("ops-slak",))
    transports = Transports.start(Settings(), engine)
    assert DigestQueue(engine, transports)(REPORT, digest, rules) == []
    assert 'digest morning: unknown receiver "ops-slak"' in caplog.text


def test_a_digest_is_recorded_in_the_notification_history(engine: Engine) -> None:
    out = io.StringIO()
    assert send(engine, Settings(), delivery.console("local"), out=out) == {"local": Sent()}
    query = notifications.select()
    with engine.connect() as conn:
        [row] = conn.execute(query).all()
    assert (row.route, row.receiver, row.channel, row.reason, row.status) == (
        "digest:morning", "local", "console", "digest", "sent",
    )  # fmt: skip


def test_a_retried_digest_is_posted_once_for_its_period(engine: Engine) -> None:
    with FakeSlack() as slack:
        slack.fail_next(1, status=500)
        settings = Settings(slack_bot_token=slack.token, slack_api_url=slack.api_url)
        outcomes = send(engine, settings, delivery.slack("ops", "#ops"))
        assert isinstance(outcomes["ops"], Sent)
        assert len(slack.messages) == 1


def test_a_slack_failure_names_no_token(engine: Engine) -> None:
    secret = "xoxb-secret-token"
    with FakeSlack(token=secret) as slack:
        slack.error("invalid_auth")
        settings = Settings(slack_bot_token=secret, slack_api_url=slack.api_url)
        outcomes = send(engine, settings, delivery.slack("ops", "#ops"))
    assert isinstance(outcomes["ops"], Failed)
    assert secret not in outcomes["ops"].reason
