"""The SMTP check against aiosmtpd: TLS as configured, and no mail sent."""

from __future__ import annotations

import asyncio

from fakes.smtp import Inbox, smtp_server

from notifier.delivery.smtp import SmtpConfig
from notifier.doctor.email import smtp
from notifier.doctor.report import Status
from notifier.rules.model import EmailConfig, Receiver, Rules

RULES = Rules(receivers={"ops": Receiver("ops", (EmailConfig(("ops@example.com",)),))})


def test_starttls_required_by_a_server_that_does_not_offer_it_is_a_problem() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:  # aiosmtpd without a TLS context offers no STARTTLS
        [found] = asyncio.run(smtp(RULES, SmtpConfig("127.0.0.1", port, start_tls=True)))
    assert found.status is Status.PROBLEM
    assert "(STARTTLS required)" in found.detail and "STARTTLS" in (found.fix or "")
    assert inbox.messages == []


def test_a_server_answering_without_login_is_ok_and_gets_no_mail() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        [found] = asyncio.run(smtp(RULES, SmtpConfig("127.0.0.1", port, start_tls=None)))
    assert found.status is Status.OK and "no login" in found.detail
    assert inbox.messages == []


def test_no_email_receiver_skips_the_check() -> None:
    [found] = asyncio.run(smtp(Rules(), SmtpConfig("127.0.0.1", 1)))
    assert found.status is Status.SKIPPED
