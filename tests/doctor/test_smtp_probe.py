"""The SMTP check against aiosmtpd: TLS as configured, and no mail sent."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult
from fakes.smtp import Inbox, smtp_server
from fakes.tls import make_certificate, server_context, trusting

from notifier.delivery.smtp import SmtpConfig
from notifier.doctor.email import smtp
from notifier.doctor.report import Finding, Status
from notifier.rules.model import EmailConfig, Receiver, Rules

RULES = Rules(receivers={"ops": Receiver("ops", (EmailConfig(("ops@example.com",)),))})


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def check(config: SmtpConfig) -> Finding:
    async def check_then_let_connections_close() -> Finding:
        [found] = await smtp(RULES, config)
        # A TLS connection's close_notify exchange outlives QUIT (see tests/delivery/test_smtp).
        await asyncio.sleep(0.05)
        return found

    return asyncio.run(check_then_let_connections_close())


def accept_bot(server: Any, session: Any, envelope: Any, mech: str, data: Any) -> AuthResult:
    return AuthResult(success=data.login == b"bot", handled=False)


def test_starttls_then_login_through_a_trusted_certificate_is_ok(
    certificate: tuple[Path, Path],
) -> None:
    inbox = Inbox()
    tls = {"tls_context": server_context(certificate), "require_starttls": True}
    with smtp_server(inbox, authenticator=accept_bot, **tls) as port:
        config = SmtpConfig("127.0.0.1", port, "bot", "pw", ssl_context=trusting(certificate))
        found = check(config)
    assert found.status is Status.OK
    assert found.detail.endswith(
        "(STARTTLS required): reachable, TLS as configured, login accepted"
    )
    assert inbox.messages == []


def test_starttls_to_an_untrusted_certificate_is_a_tls_problem(
    certificate: tuple[Path, Path],
) -> None:
    with smtp_server(Inbox(), tls_context=server_context(certificate)) as port:
        found = check(SmtpConfig("127.0.0.1", port, start_tls=True))
    assert found.status is Status.PROBLEM and "TLS failure" in found.detail
    assert "smtps:// with 465" in (found.fix or "")


def test_starttls_required_by_a_server_that_does_not_offer_it_is_a_problem() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:  # aiosmtpd without a TLS context offers no STARTTLS
        found = check(SmtpConfig("127.0.0.1", port, start_tls=True))
    assert found.status is Status.PROBLEM
    assert "(STARTTLS required)" in found.detail and "STARTTLS" in (found.fix or "")
    assert inbox.messages == []


def test_a_server_answering_without_login_is_ok_and_gets_no_mail() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        found = check(SmtpConfig("127.0.0.1", port, start_tls=None))
    assert found.status is Status.OK and "no login" in found.detail
    assert inbox.messages == []


def test_no_email_receiver_skips_the_check() -> None:
    [found] = asyncio.run(smtp(Rules(), SmtpConfig("127.0.0.1", 1)))
    assert found.status is Status.SKIPPED
