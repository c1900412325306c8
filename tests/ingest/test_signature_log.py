"""Refused signatures are logged with the URL checked and the likely fix, once a minute."""

import logging

import pytest

from notifier.ingest.signature_log import SignatureFailureLog
from notifier.twilio.signature import SignatureFailure

URL = "https://bot.example.com/twilio/debugger"


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


@pytest.mark.parametrize(
    ("refusals", "logged_at"),
    [
        pytest.param([("debugger", 0.0), ("debugger", 59.0)], [0.0], id="once-a-minute"),
        pytest.param(
            [("debugger", 0.0), ("debugger", 30.0), ("debugger", 60.0)],
            [0.0, 60.0],
            id="again-after-a-minute",
        ),
        pytest.param([("debugger", 0.0), ("alarm", 1.0)], [0.0, 1.0], id="each-source-its-own"),
    ],
)
def test_refusals_are_logged_at_most_once_a_minute_per_source(
    caplog: pytest.LogCaptureFixture,
    refusals: list[tuple[str, float]],
    logged_at: list[float],
) -> None:
    failures = SignatureFailureLog()

    for source, now in refusals:
        failures.refused(source, f"{URL}?t={now}", True, SignatureFailure.MISMATCH, now)

    assert [message.split("?t=")[1].split(":")[0] for message in warnings(caplog)] == [
        str(now) for now in logged_at
    ]


def test_with_public_url_the_warning_names_it_as_the_source_of_the_url(
    caplog: pytest.LogCaptureFixture,
) -> None:
    SignatureFailureLog().refused("debugger", URL, True, SignatureFailure.MISMATCH, 0.0)

    [message] = warnings(caplog)
    assert message.startswith(
        f"debugger: refused a request whose signature was checked against {URL}:"
    )
    assert "comes from PUBLIC_URL plus the request's path" in message
    assert "matches no configured TWILIO_AUTH_TOKEN" in message


def test_without_public_url_the_warning_suggests_setting_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = "http://10.0.0.7:8000/twilio/debugger"
    SignatureFailureLog().refused("debugger", url, False, SignatureFailure.MISSING, 0.0)

    [message] = warnings(caplog)
    assert url in message
    assert "comes from the request's Host and the proxy headers" in message
    assert "set PUBLIC_URL" in message and "FORWARDED_ALLOW_IPS" in message
    assert "no X-Twilio-Signature header" in message
