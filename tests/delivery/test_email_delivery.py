import asyncio
import logging
from datetime import UTC, datetime

import pytest
from fakes import delivery
from fakes.smtp import Inbox, smtp_server
from sqlalchemy import Engine, select

from notifier.delivery.smtp import SmtpConfig, smtp_config
from notifier.events import Event
from notifier.notices import Notice, Reason
from notifier.rules.model import Rules
from notifier.settings import Settings
from notifier.store.outbox import enqueue
from notifier.store.schema import notifications

NOW = datetime(2024, 6, 4, 12, 0, tzinfo=UTC)
RULES = Rules(receivers={"mail": delivery.email("mail", "ops@example.com", subject_prefix="[tw]")})


def notice(reason: Reason, count: int) -> Notice:
    event = Event(source="debugger", time=NOW, error_code="11200", message="HTTP retrieval failed")
    return Notice("webhooks", "webhooks|11200", reason, event, count, NOW, NOW, ("mail",))


def deliver(engine: Engine, settings: Settings, *notices: Notice) -> list[tuple[str, str | None]]:
    with engine.begin() as conn:
        for item in notices:
            enqueue(conn, item, 1, NOW)
    deliverer, _ = delivery.make_deliverer(engine, RULES, settings, delivery.Clock(NOW))
    asyncio.run(deliverer.run_once())
    query = select(notifications.c.status, notifications.c.last_error)
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query.order_by(notifications.c.id))]


def test_email_is_delivered_with_threading_headers(engine: Engine) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        settings = Settings(smtp_url=f"smtp://127.0.0.1:{port}", email_from="bot@example.com")
        first = deliver(engine, settings, notice(Reason.FIRST, 1))
        repeat = deliver(engine, settings, notice(Reason.REPEAT, 5))
    assert first + repeat[1:] == [("sent", None), ("sent", None)]
    parent, reply = inbox.messages
    assert parent["To"] == "ops@example.com" and parent["From"] == "bot@example.com"
    assert parent["Subject"].startswith("[tw] [error] 11200")
    assert reply["In-Reply-To"] == reply["References"] == parent["Message-ID"]


def test_missing_smtp_settings_fail_with_a_clear_reason(engine: Engine) -> None:
    assert deliver(engine, Settings(email_from="bot@example.com"), notice(Reason.FIRST, 1)) == [
        ("failed", "SMTP_URL is not set")
    ]


def test_missing_sender_fails_with_a_clear_reason(engine: Engine) -> None:
    settings = Settings(smtp_url="smtp://127.0.0.1:2525")
    assert deliver(engine, settings, notice(Reason.FIRST, 1)) == [
        ("failed", "EMAIL_FROM is not set")
    ]


def test_tls_off_is_logged_as_a_warning_naming_the_host_but_never_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        config = smtp_config("smtp://bot:hunter2-secret@relay.internal:25?tls=off", "bot@x.org")
    assert isinstance(config, SmtpConfig) and config.plain
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "tls=off" in record.getMessage() and "relay.internal:25" in record.getMessage()
    assert "hunter2" not in caplog.text and "bot:" not in caplog.text


def test_a_bad_tls_option_fails_the_email_receiver_naming_smtp_url_and_the_value(
    engine: Engine,
) -> None:
    settings = Settings(smtp_url="smtp://bot:hunter2@relay:25?tls=maybe", email_from="b@x.org")
    assert deliver(engine, settings, notice(Reason.FIRST, 1)) == [
        ("failed", "SMTP_URL option tls must be on or off, not 'maybe'")
    ]
