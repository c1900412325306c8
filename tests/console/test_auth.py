"""Session cookies and the login limiter, with the clock passed in."""

from datetime import UTC, datetime, timedelta

import pytest

from notifier.console.auth import LIFETIME, Signer, password_matches, session_key
from notifier.console.limits import LoginLimiter

NOW = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)


def test_a_cookie_is_a_session_until_it_expires() -> None:
    signer = Signer(b"k" * 32)
    cookie = signer.issue(NOW)

    assert signer.check(cookie, NOW + LIFETIME - timedelta(seconds=1)) is not None
    assert signer.check(cookie, NOW + LIFETIME + timedelta(seconds=1)) is None


@pytest.mark.parametrize(
    "cookie",
    ["", "abc", "1.2.3", "a.b.c.d", "notanumber.x.sig"],
    ids=["empty", "no-dots", "bad-signature", "too-many-parts", "bad-stamp"],
)
def test_a_malformed_cookie_is_no_session(cookie: str) -> None:
    assert Signer(b"k" * 32).check(cookie, NOW) is None


def test_another_key_does_not_accept_the_cookie() -> None:
    cookie = Signer(session_key("pw", None)).issue(NOW)

    assert Signer(session_key("other", None)).check(cookie, NOW) is None
    assert Signer(session_key("pw", "a-session-secret")).check(cookie, NOW) is None


def test_the_csrf_token_belongs_to_its_session() -> None:
    signer = Signer(b"k" * 32)
    first = signer.check(signer.issue(NOW), NOW)
    second = signer.check(signer.issue(NOW), NOW)
    assert first is not None and second is not None

    assert signer.csrf_ok(first, signer.csrf_token(first))
    assert not signer.csrf_ok(first, signer.csrf_token(second))
    assert not signer.csrf_ok(first, None)


def test_password_compare() -> None:
    assert password_matches("s3cret", "s3cret")
    assert not password_matches("s3cre", "s3cret")
    assert not password_matches("", "s3cret")


def test_a_client_is_held_off_after_five_failures_until_the_window_passes() -> None:
    limiter = LoginLimiter()
    for second in range(5):
        assert limiter.retry_after("10.0.0.1", second) == 0
        limiter.failed("10.0.0.1", second)

    assert limiter.retry_after("10.0.0.1", 5) == pytest.approx(295)
    assert limiter.retry_after("10.0.0.2", 5) == 0  # others may still try
    assert limiter.retry_after("10.0.0.1", 301) == 0


def test_many_addresses_guessing_together_are_held_off_globally() -> None:
    limiter = LoginLimiter(overall=10)
    for n in range(10):
        limiter.failed(f"10.0.0.{n}", 1.0)

    assert limiter.retry_after("10.9.9.9", 2.0) == pytest.approx(299)


def test_the_limiter_forgets_the_longest_quiet_clients_beyond_its_bound() -> None:
    limiter = LoginLimiter(max_clients=100)
    for n in range(1000):
        limiter.failed(f"client-{n}", float(n) / 1000)

    assert len(limiter._clients) == 100
    assert "client-999" in limiter._clients
