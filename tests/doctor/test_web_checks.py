"""The Twilio token and PUBLIC_URL checks: settings in, findings out."""

from __future__ import annotations

import pytest

from notifier.doctor.report import Status
from notifier.doctor.twilio import auth_tokens, public_url
from notifier.settings import Settings

TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("url", "statuses"),
    [
        pytest.param("https://alerts.example.com", [Status.OK], id="https-origin-is-ok"),
        pytest.param("http://alerts.example.com", [Status.PROBLEM], id="http-is-a-problem"),
        pytest.param("http://127.0.0.1:8000", [Status.OK], id="http-on-loopback-is-ok"),
        pytest.param(
            "http://127.0.0.1:9000", [Status.OK, Status.WARNING], id="loopback-port-not-PORT"
        ),
        pytest.param(
            "https://example.com/bot",
            [Status.OK, Status.WARNING],
            id="path-needs-a-stripping-router",
        ),
        pytest.param("https://example.com/?a=1", [Status.PROBLEM], id="query-is-a-problem"),
        pytest.param("https://example.com#rc=3", [Status.PROBLEM], id="fragment-is-a-problem"),
    ],
)
def test_public_url_is_judged_by_its_form(url: str, statuses: list[Status]) -> None:
    settings = Settings(auth_tokens=(TOKEN,), public_url=url, port=8000)
    assert [finding.status for finding in public_url(settings)] == statuses


def test_an_unset_public_url_is_a_problem_unless_proxy_headers_are_trusted() -> None:
    [unset] = public_url(Settings(auth_tokens=(TOKEN,)))
    assert unset.status is Status.PROBLEM and unset.fix is not None
    [trusted] = public_url(Settings(auth_tokens=(TOKEN,), forwarded_allow_ips="*"))
    assert trusted.status is Status.WARNING and "FORWARDED_ALLOW_IPS='*'" in trusted.detail


def test_a_loopback_flag_beside_a_token_is_a_warning_that_it_does_nothing() -> None:
    found = auth_tokens(Settings(auth_tokens=(TOKEN, TOKEN.upper()), allow_unsigned_loopback=True))
    assert [f.status for f in found] == [Status.OK, Status.WARNING]
    assert found[0].detail == "2 tokens, well-formed"
    assert found[1].fix == "unset ALLOW_UNSIGNED_LOOPBACK"


def test_no_finding_shows_a_token() -> None:
    short = TOKEN[:-2]
    for settings in (Settings(auth_tokens=(short,)), Settings(auth_tokens=(TOKEN,))):
        text = " ".join(f"{f.detail} {f.fix}" for f in auth_tokens(settings))
        assert short not in text
