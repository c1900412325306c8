import asyncio
import logging
from dataclasses import replace

import pytest
from fakes import delivery
from fakes.notices import make_notice
from fakes.smtp import Inbox, smtp_server
from sqlalchemy import Engine

from notifier.delivery.smtp import SmtpConfig, smtp_config
from notifier.notices import Notice, Reason
from notifier.rules.model import Rules
from notifier.settings import Settings

TO_MAIL = make_notice("webhooks|11200", "mail")
RULES = Rules(receivers={"mail": delivery.email("mail", "ops@example.com", subject_prefix="[tw]")})


def deliver(engine: Engine, settings: Settings, *notices: Notice) -> list[tuple[str, str | None]]:
    delivery.queue(engine, *notices)
    deliverer, _ = delivery.make_deliverer(engine, RULES, settings, delivery.Clock())
    asyncio.run(deliverer.run_once())
    return [tuple(row) for row in delivery.outbox(engine, "status", "last_error")]


def test_email_is_delivered_with_threading_headers(engine: Engine) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        settings = Settings(smtp_url=f"smtp://127.0.0.1:{port}", email_from="bot@example.com")
        first = deliver(engine, settings, TO_MAIL)
        repeat = deliver(engine, settings, replace(TO_MAIL, reason=Reason.REPEAT, count=5))
    assert first + repeat[1:] == [("sent", None), ("sent", None)]
    parent, reply = inbox.messages
    assert parent["To"] == "ops@example.com" and parent["From"] == "bot@example.com"
    assert parent["Subject"].startswith("[tw] [error] 11200")
    assert reply["In-Reply-To"] == reply["References"] == parent["Message-ID"]


def test_missing_smtp_settings_fail_with_a_clear_reason(engine: Engine) -> None:
    settings = Settings(email_from="bot@example.com")
    assert deliver(engine, settings, TO_MAIL) == [("failed", "SMTP_URL is not set")]


def test_missing_sender_fails_with_a_clear_reason(engine: Engine) -> None:
    settings = Settings(smtp_url="smtp://127.0.0.1:2525")
    assert deliver(engine, settings, TO_MAIL) == [("failed", "EMAIL_FROM is not set")]


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
    assert deliver(engine, settings, TO_MAIL) == [
        ("failed", "SMTP_URL option tls must be on or off, not 'maybe'")
    ]
