"""X-Twilio-Signature checks: the signed URL, form or JSON bodies, several tokens."""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs, urlsplit

from twilio.request_validator import (
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

SIGNATURE_HEADER = "x-twilio-signature"


class SignatureChecker:
    """Accepts a request when any configured token (sub-accounts, rotation) signed it."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self._validators = [RequestValidator(token) for token in tokens]

    @property
    def configured(self) -> bool:
        return bool(self._validators)

    def is_valid(
        self,
        url: str,
        params: Mapping[str, str] | str,
        headers: Mapping[str, str],
    ) -> bool:
        """`params`: the form fields, or for JSON bodies the raw body text."""
        signature = headers.get(SIGNATURE_HEADER, "")
        if not signature:
            return False
        algorithm = get_signature_algorithm(headers.get(SIGNATURE_SETTINGS_HEADER.lower()))
        signed = _signed_params(url, params)
        return any(
            _signed_as_sent(v, url, signed, signature, algorithm)
            or v.validate(url, signed, signature, algorithm)
            for v in self._validators
        )


def _signed_as_sent(
    validator: RequestValidator,
    url: str,
    params: Mapping[str, str] | str,
    signature: str,
    algorithm: str,
) -> bool:
    """The common case in one HMAC: the URL exactly as Twilio called it. `validate` also tries
    the URL with and without its port (two HMACs), so it only runs when this fails."""
    if isinstance(params, str):
        return False
    expected = str(validator.compute_signature(url, params, algorithm))
    return hmac.compare_digest(expected.encode(), signature.encode())


def _signed_params(url: str, params: Mapping[str, str] | str) -> Mapping[str, str] | str:
    # A JSON body is signed only through the bodySHA256 query parameter; without it Twilio
    # signs the URL alone.
    if isinstance(params, str) and "bodySHA256" not in parse_qs(urlsplit(url).query):
        return {}
    return params


def public_url(public_base: str, path: str, query: str) -> str:
    """The URL Twilio signed when PUBLIC_URL is set: PUBLIC_URL + path + query."""
    url = public_base.rstrip("/") + path
    return f"{url}?{query}" if query else url


def sign(token: str, url: str, params: Mapping[str, str] | str) -> str:
    """The signature Twilio would send, for `notifier simulate` and tests."""
    signed = {} if isinstance(params, str) else params
    return str(RequestValidator(token).compute_signature(url, signed))
