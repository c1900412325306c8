import asyncio
import ssl
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from fakes.bot import free_port
from fakes.events import make_event
from fakes.notices import make_notice
from fakes.smtp import Inbox as SmtpInbox
from fakes.smtp import slow_smtp_server, smtp_server
from fakes.tls import make_certificate, server_context

from notifier.delivery.email_channel import check_message
from notifier.delivery.outcome import Failed, Retry, SendResult, Sent
from notifier.delivery.smtp import SmtpConfig, parse_smtp_url, send_email
from notifier.digest.build import DigestReport
from notifier.digest.email import render_digest_email
from notifier.errors import UserError
from notifier.notices import Reason
from notifier.render.context import RenderContext
from notifier.render.email import build_message, render_email

PASSWORD = "p4ss-w0rd-secret"
SENT_AT = datetime(2024, 5, 1, 12, 0, 30, tzinfo=UTC)


def make_message(reason: Reason = Reason.FIRST) -> EmailMessage:
    event = make_event(SENT_AT.replace(second=0), message="<b>x</b>\r\nBcc: a@b")
    notice = make_notice("webhooks|11200", "mail", reason=reason, event=event, count=3)
    rendered = render_email(notice, RenderContext(), "[twilio]")
    return build_message(rendered, "bot@example.com", ["ops@example.com"])


class Inbox(SmtpInbox):
    """Also records the passwords it was given, and may echo them in its answer."""

    def __init__(self, answer: str = "250 OK") -> None:
        super().__init__(answer)
        self.passwords: list[str] = []

    def reply(self) -> str:
        return self.answer.format(password=" ".join(self.passwords))

    def authenticate(self, server: Any, session: Any, envelope: Any, mech: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        self.passwords.append(data.password.decode())
        return AuthResult(success=data.password.decode() == PASSWORD, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def send(config: SmtpConfig, message: EmailMessage | None = None) -> SendResult:
    async def send_then_let_connections_close() -> SendResult:
        outcome = await send_email(config, message or make_message(), lambda: SENT_AT)
        # A TLS connection closes after a close_notify exchange that outlives the send; a loop
        # stopped before it leaves the socket to a later garbage collection, whose
        # ResourceWarning fails whichever test happens to be running then.
        await asyncio.sleep(0.05)
        return outcome

    return asyncio.run(send_then_let_connections_close())


def test_email_arrives_with_text_and_html_parts() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        assert send(parse_smtp_url(f"smtp://127.0.0.1:{port}")) == Sent()
    [received] = inbox.messages
    assert received.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in received.walk() if not p.is_multipart()]
    assert parts == ["text/plain", "text/html"]
    assert received["Subject"].startswith("[twilio] [error] 11200")
    assert received["Bcc"] is None


def test_repeat_email_threads_under_the_groups_first_message() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        for reason in (Reason.FIRST, Reason.REPEAT):
            send(parse_smtp_url(f"smtp://127.0.0.1:{port}"), make_message(reason))
    first, repeat = inbox.messages
    assert repeat["In-Reply-To"] == repeat["References"] == first["Message-ID"]
    assert repeat["Message-ID"] != first["Message-ID"]


def test_starttls_with_a_trusted_certificate_delivers(certificate: tuple[Path, Path]) -> None:
    inbox = Inbox()
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    tls = {"tls_context": server_context(certificate), "require_starttls": True}
    with smtp_server(inbox, authenticator=inbox.authenticate, **tls) as port:
        config = SmtpConfig("127.0.0.1", port, "bot", PASSWORD, ssl_context=trusting)
        assert send(config) == Sent()
    assert inbox.passwords == [PASSWORD] and len(inbox.messages) == 1


def test_starttls_with_an_untrusted_certificate_fails(certificate: tuple[Path, Path]) -> None:
    inbox = Inbox()
    with smtp_server(inbox, tls_context=server_context(certificate), require_starttls=True) as port:
        outcome = send(SmtpConfig("127.0.0.1", port, start_tls=True))
    assert isinstance(outcome, Failed) and outcome.reason.startswith("TLS failure: ")
    assert inbox.messages == []


def test_refused_connection_is_retried() -> None:
    outcome = send(SmtpConfig("127.0.0.1", free_port()))
    assert isinstance(outcome, Retry) and outcome.reason.startswith("SMTP connection failed")


def test_server_that_never_answers_is_retried_within_the_timeout() -> None:
    async def silent_server_then_send() -> SendResult:
        hung_up = asyncio.Event()

        async def never_greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()  # until the client gives up
            writer.close()
            await writer.wait_closed()
            hung_up.set()

        async with await asyncio.start_server(never_greet, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            config = SmtpConfig("127.0.0.1", port, timeout=0.2)
            outcome = await send_email(config, make_message())
            await hung_up.wait()
        return outcome

    started = time.monotonic()
    outcome = asyncio.run(silent_server_then_send())
    assert time.monotonic() - started < 2
    assert isinstance(outcome, Retry) and outcome.reason.startswith("SMTP timed out")


def test_server_slow_at_every_reply_is_cut_off_at_the_total_timeout() -> None:
    async def send_slowly() -> SendResult:
        async with slow_smtp_server(delay=0.2) as port:
            config = SmtpConfig("127.0.0.1", port, start_tls=False, timeout=0.5)
            return await send_email(config, make_message())

    started = time.monotonic()
    outcome = asyncio.run(send_slowly())
    # Each reply comes within the timeout, but the seven of a send would take 1.4 seconds.
    assert time.monotonic() - started < 1.2
    assert outcome == Retry(None, "SMTP timed out")


def test_every_email_leaves_with_a_date_and_a_message_id() -> None:
    digest = render_digest_email(DigestReport("morning", SENT_AT, SENT_AT), RenderContext())
    messages = {
        "notice": make_message(),
        "digest": build_message(digest, "bot@example.com", ["ops@example.com"]),
        "email test": check_message("bot@example.com", ["ops@example.com"]),
    }
    inbox = Inbox()
    with smtp_server(inbox) as port:
        outcomes = {name: send(parse_smtp_url(f"smtp://127.0.0.1:{port}"), message)
                    for name, message in messages.items()}  # fmt: skip
    assert outcomes == dict.fromkeys(messages, Sent())
    assert [m["Date"] for m in inbox.messages] == ["Wed, 01 May 2024 12:00:30 +0000"] * 3
    notice, digest_message, checking = inbox.messages
    assert notice["Message-ID"].startswith("<group-")
    assert digest_message["Message-ID"] == digest.message_id
    assert checking["Message-ID"].endswith("@twilio-alert-notifier>")


def test_tls_off_never_starts_tls_even_when_the_server_offers_it(
    certificate: tuple[Path, Path],
) -> None:
    inbox = Inbox()
    with smtp_server(inbox, tls_context=server_context(certificate)) as port:
        # Without tls=off the loopback relay's untrusted certificate fails the send.
        assert isinstance(send(parse_smtp_url(f"smtp://127.0.0.1:{port}")), Failed)
        assert send(parse_smtp_url(f"smtp://127.0.0.1:{port}?tls=off")) == Sent()
    assert len(inbox.messages) == 1


def test_no_email_outcome_reveals_the_smtp_password() -> None:
    outcomes = []
    for answer in ("554 rejected {password}", "451 later {password}"):
        inbox = Inbox(answer)
        with smtp_server(inbox, auth_require_tls=False, authenticator=inbox.authenticate) as port:
            outcomes.append(send(SmtpConfig("127.0.0.1", port, "bot", PASSWORD, start_tls=None)))
            outcomes.append(send(SmtpConfig("127.0.0.1", port, "bot", "wrong", start_tls=None)))
    outcomes.append(send(parse_smtp_url(f"smtp://bot:{PASSWORD}@127.0.0.1:{free_port()}")))
    reasons = [o.reason for o in outcomes if not isinstance(o, Sent)]
    assert len(reasons) == len(outcomes) == 5
    assert "SMTP authentication failed" in reasons
    assert not [r for r in reasons if PASSWORD in r]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://u:p%40ss@mail.example.com", SmtpConfig("mail.example.com", 587, "u", "p@ss")),
        ("smtp://127.0.0.1:2525", SmtpConfig("127.0.0.1", 2525, start_tls=None)),
        ("smtp://localhost", SmtpConfig("localhost", 587, start_tls=None)),
        ("smtp://relay.internal:25?tls=off", SmtpConfig("relay.internal", 25, start_tls=False)),
        ("smtp://u:p@relay.internal?tls=OFF", SmtpConfig("relay.internal", 587, "u", "p",
                                                         start_tls=False)),
        ("smtp://mail.example.com?tls=on", SmtpConfig("mail.example.com", 587)),
        ("smtps://u:p@mail.example.com", SmtpConfig("mail.example.com", 465, "u", "p",
                                                    implicit_tls=True, start_tls=False)),
    ],
    ids=["smtp-requires-starttls", "loopback-starttls-optional", "localhost-is-loopback",
         "tls-off-is-plain-smtp", "tls-option-ignores-case", "tls-on-is-the-default",
         "smtps-is-implicit-tls"],
)  # fmt: skip
def test_smtp_url_is_parsed(url: str, expected: SmtpConfig) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://u:hunter2@mail.example.com", "must start with smtp:// or smtps://, not http"),
        ("smtp://u:hunter2@mail.example.com:99999", "port that is not a number"),
        ("smtp://u:hun/ter2@mail.example.com", "port that is not a number"),
        ("smtp://u:hunter2@:25", "has no host name"),
        ("smtp://u@mail.example.com", "names user 'u' but gives no password"),
        ("smtp://u:hunter2@relay:25?tls=no", "SMTP_URL option tls must be on or off, not 'no'"),
        ("smtp://u:hunter2@relay:25?tls", "SMTP_URL option tls must be on or off, not ''"),
        ("smtp://u:hunter2@relay?starttls=off", "SMTP_URL has an unknown option 'starttls'"),
        ("smtps://u:hunter2@relay?tls=off", r"smtps:// always uses TLS.*smtp://\.\.\.\?tls=off"),
    ],
    ids=["wrong-scheme", "port-out-of-range", "slash-in-password", "no-host", "no-password",
         "tls-neither-on-nor-off", "tls-without-value", "unknown-option", "smtps-with-tls-off"],
)  # fmt: skip
def test_bad_smtp_url_is_rejected_without_echoing_the_password(url: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as raised:
        parse_smtp_url(url)
    assert "hunter2" not in str(raised.value) and "hun" not in str(raised.value)
