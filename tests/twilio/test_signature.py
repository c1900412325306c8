"""X-Twilio-Signature: Twilio's published vectors, JSON bodies, ports, several tokens."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import HMAC_SHA1, HMAC_SHA256, RequestValidator

from notifier.twilio.signature import (
    SignatureChecker,
    SignatureFailure,
    public_url,
    sign,
)

# Twilio's worked example (twilio.com/docs/usage/security). Two versions of the docs page are
# in circulation; each signature belongs to its own URL and phone numbers.
EXAMPLE_COM = (
    "https://example.com/myapp.php?foo=1&bar=2",
    {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675310",
        "Digits": "1234",
        "From": "+14158675310",
        "To": "+18005551212",
    },
    "L/OH5YylLD5NRKLltdqwSvS0BnU=",
)
MYCOMPANY_COM = (
    "https://mycompany.com/myapp.php?foo=1&bar=2",
    {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    },
    "0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
)
VECTORS = [
    pytest.param(*EXAMPLE_COM, id="example.com"),
    pytest.param(*MYCOMPANY_COM, id="mycompany.com"),
]


def signed(signature: str) -> dict[str, str]:
    return {"x-twilio-signature": signature}


def accepts(
    checker: SignatureChecker, url: str, params: dict[str, str] | str, headers: dict[str, str]
) -> bool:
    return checker.failure(url, params, headers) is None


@pytest.mark.parametrize(("url", "params", "signature"), VECTORS)
def test_twilio_documented_vector_is_accepted(
    url: str, params: dict[str, str], signature: str
) -> None:
    assert accepts(SignatureChecker(["12345"]), url, params, signed(signature))


@pytest.mark.parametrize(("url", "params", "signature"), VECTORS)
def test_documented_vector_with_a_changed_field_is_rejected(
    url: str, params: dict[str, str], signature: str
) -> None:
    tampered = {**params, "Digits": "9999"}

    assert not accepts(SignatureChecker(["12345"]), url, tampered, signed(signature))


def test_documented_vector_signed_for_another_url_is_rejected() -> None:
    url, params, signature = EXAMPLE_COM

    other = url.replace("bar=2", "bar=3")

    assert not accepts(SignatureChecker(["12345"]), other, params, signed(signature))


@pytest.mark.parametrize(
    ("signed_url", "request_url"),
    [
        pytest.param(
            "https://example.com/myapp.php?foo=1&bar=2",
            "https://example.com:443/myapp.php?foo=1&bar=2",
            id="signed-without-port-received-with-443",
        ),
        pytest.param(
            "https://example.com:443/myapp.php?foo=1&bar=2",
            "https://example.com/myapp.php?foo=1&bar=2",
            id="signed-with-443-received-without-port",
        ),
    ],
)
def test_explicit_default_port_does_not_change_the_verdict(
    signed_url: str, request_url: str
) -> None:
    _, params, _ = EXAMPLE_COM

    signature = sign("12345", signed_url, params)

    assert accepts(SignatureChecker(["12345"]), request_url, params, signed(signature))


def test_documented_vector_needs_no_port_to_match() -> None:
    url, params, signature = EXAMPLE_COM

    assert sign("12345", url, params) == signature
    assert sign("12345", url.replace(".com/", ".com:443/"), params) != signature


def json_request(body: str) -> str:
    digest = hashlib.sha256(body.encode()).hexdigest()
    return f"https://bot.example.com/twilio/event-streams?bodySHA256={digest}"


def test_json_body_signed_through_body_sha256_is_accepted() -> None:
    body = '[{"id":"EV1","type":"com.twilio.error-logs.error.logged"}]'
    url = json_request(body)

    assert accepts(SignatureChecker(["tok"]), url, body, signed(sign("tok", url, body)))


def test_json_body_changed_after_signing_is_rejected() -> None:
    body = '[{"id":"EV1","type":"com.twilio.error-logs.error.logged"}]'
    url = json_request(body)
    signature = sign("tok", url, body)

    tampered = body.replace("EV1", "EV2")

    assert not accepts(SignatureChecker(["tok"]), url, tampered, signed(signature))


def test_json_body_without_body_sha256_is_refused_though_its_url_is_signed() -> None:
    body = '[{"id":"EV1","type":"com.twilio.error-logs.error.logged"}]'
    url = "https://bot.example.com/twilio/event-streams"

    failure = SignatureChecker(["tok"]).failure(url, body, signed(sign("tok", url, body)))

    assert failure == SignatureFailure.UNBOUND_BODY


def test_json_body_whose_hash_is_not_body_sha256_is_refused() -> None:
    body = '[{"id":"EV1"}]'
    url = json_request('[{"id":"EV2"}]')  # a signed URL whose bodySHA256 is another body's

    failure = SignatureChecker(["tok"]).failure(url, body, signed(sign("tok", url, body)))

    assert failure == SignatureFailure.MISMATCH


def test_second_of_several_tokens_is_enough() -> None:
    url, params, signature = EXAMPLE_COM

    checker = SignatureChecker(["rotated-out", "12345"])

    assert accepts(checker, url, params, signed(signature))


def test_no_configured_token_valid_is_rejected() -> None:
    url, params, signature = EXAMPLE_COM

    checker = SignatureChecker(["rotated-out", "sub-account"])

    assert not accepts(checker, url, params, signed(signature))


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"x-twilio-signature": ""}, id="empty-header"),
    ],
)
def test_missing_signature_is_rejected_as_missing(headers: dict[str, str]) -> None:
    url, params, _ = EXAMPLE_COM

    failure = SignatureChecker(["12345"]).failure(url, params, headers)

    assert failure == SignatureFailure.MISSING


def test_checker_without_tokens_is_not_configured() -> None:
    assert not SignatureChecker([]).configured
    assert SignatureChecker(["12345"]).configured


def test_hmac_sha256_named_in_signature_settings_is_accepted() -> None:
    url, params, _ = EXAMPLE_COM
    signature = RequestValidator("shared-key").compute_signature(url, params, HMAC_SHA256)
    headers = {
        "x-twilio-signature": signature,
        "x-twilio-webhooks-signature-settings": f"key=webhooks_sharedkey_1,algorithm={HMAC_SHA256}",
    }

    assert accepts(SignatureChecker(["shared-key"]), url, params, headers)
    assert not accepts(SignatureChecker(["shared-key"]), url, params, signed(signature))


@pytest.mark.parametrize(
    ("public_base", "query", "expected"),
    [
        pytest.param(
            "https://bot.example.com", "", "https://bot.example.com/twilio/debugger", id="set"
        ),
        pytest.param(
            "https://bot.example.com/",
            "",
            "https://bot.example.com/twilio/debugger",
            id="set-with-trailing-slash",
        ),
        pytest.param(
            "https://bot.example.com",
            "bodySHA256=abc&x=1",
            "https://bot.example.com/twilio/debugger?bodySHA256=abc&x=1",
            id="set-with-query",
        ),
        pytest.param(
            "https://example.com/notifier/",
            "",
            "https://example.com/notifier/twilio/debugger",
            id="set-with-path-prefix",
        ),
    ],
)
def test_public_url_is_the_url_twilio_signed(public_base: str, query: str, expected: str) -> None:
    assert public_url(public_base, "/twilio/debugger", query) == expected


URLS = [
    "https://bot.example.com/twilio/debugger",
    "https://bot.example.com:443/twilio/debugger",
    "http://127.0.0.1:8000/x?a=1",
    "http://127.0.0.1/x?a=1",
]


@given(
    signed_url=st.sampled_from(URLS),
    checked_url=st.sampled_from(URLS),
    params=st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=12),
    algorithm=st.sampled_from([HMAC_SHA1, HMAC_SHA256]),
)
def test_form_verdict_agrees_with_twilios_validator(
    signed_url: str, checked_url: str, params: dict[str, str], algorithm: str
) -> None:
    validator = RequestValidator("tok")
    signature = validator.compute_signature(signed_url, params, algorithm)
    headers = {
        "x-twilio-signature": signature,
        "x-twilio-webhooks-signature-settings": f"algorithm={algorithm}",
    }

    accepted = accepts(SignatureChecker(["tok"]), checked_url, params, headers)

    assert accepted == validator.validate(checked_url, params, signature, algorithm)


def test_an_unknown_algorithm_is_refused_as_such() -> None:
    url, params, signature = EXAMPLE_COM
    headers = {**signed(signature), "x-twilio-webhooks-signature-settings": "algorithm=HMAC_MD5"}

    assert SignatureChecker(["12345"]).failure(url, params, headers) == SignatureFailure.ALGORITHM
