"""Only fresh requests signed with the app's secret get through, each once."""

import pytest
from fakes.slack_signing import SECRET, signed_headers

from notifier.slack_actions.verify import REMEMBERED, Rejection, RequestVerifier

NOW = 1_700_000_000.0
BODY = b"payload=%7B%7D"


def lowered(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def verifier(now: float = NOW) -> RequestVerifier:
    return RequestVerifier(SECRET, lambda: now)


def test_a_request_signed_as_slack_signs_is_accepted_once() -> None:
    check = verifier()
    headers = lowered(signed_headers(BODY, at=NOW - 10))

    assert check.check(BODY, headers) is None
    assert check.check(BODY, headers) is Rejection.REPLAY


@pytest.mark.parametrize(
    ("headers", "body", "rejection"),
    [
        pytest.param({}, BODY, Rejection.UNSIGNED, id="no-headers"),
        pytest.param(
            {"x-slack-request-timestamp": str(int(NOW))}, BODY, Rejection.UNSIGNED,
            id="no-signature",
        ),
        pytest.param(
            lowered(signed_headers(BODY, at=NOW - 301)), BODY, Rejection.STALE, id="stale"
        ),
        pytest.param(
            lowered(signed_headers(BODY, at=NOW + 301)), BODY, Rejection.STALE, id="future"
        ),
        pytest.param(
            {**lowered(signed_headers(BODY, at=NOW)), "x-slack-request-timestamp": "soon"},
            BODY, Rejection.STALE, id="timestamp-not-a-number",
        ),
        pytest.param(
            lowered(signed_headers(BODY, "another-secret", at=NOW)), BODY, Rejection.SIGNATURE,
            id="wrong-secret",
        ),
        pytest.param(
            lowered(signed_headers(BODY, at=NOW)), BODY + b"x", Rejection.SIGNATURE,
            id="body-changed",
        ),
    ],
)  # fmt: skip
def test_requests_not_freshly_signed_by_slack_are_refused(
    headers: dict[str, str], body: bytes, rejection: Rejection
) -> None:
    assert verifier().check(body, headers) is rejection


def test_the_memory_of_seen_requests_stays_bounded() -> None:
    check = verifier()
    for n in range(REMEMBERED + 10):
        body = f"payload={n}".encode()
        assert check.check(body, lowered(signed_headers(body, at=NOW))) is None

    assert len(check._seen) == REMEMBERED


def test_a_request_is_forgotten_only_once_it_would_be_stale_anyway() -> None:
    clock = [NOW]
    check = RequestVerifier(SECRET, lambda: clock[0])
    headers = lowered(signed_headers(BODY, at=NOW))
    check.check(BODY, headers)

    clock[0] = NOW + 300
    again_in_window = check.check(BODY, headers)
    clock[0] = NOW + 301

    assert again_in_window is Rejection.REPLAY
    assert check.check(BODY, headers) is Rejection.STALE
