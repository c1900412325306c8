"""X-Twilio-Signature checks: the signed URL, form or JSON bodies, several tokens."""

from __future__ import annotations

import base64
import hmac
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs, urlsplit

from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

SIGNATURE_HEADER = "x-twilio-signature"


class SignatureChecker:
    """Accepts a request when any configured token (sub-accounts, rotation) signed it."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self._validators = [(token.encode("utf-8"), RequestValidator(token)) for token in tokens]

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
        sent = signature.encode("utf-8", "replace")
        return any(
            _signed_as_sent(key, url, signed, sent, algorithm)
            or validator.validate(url, signed, signature, algorithm)
            for key, validator in self._validators
        )


# The digests Twilio signs with, as hashlib names for hmac.digest.
_DIGESTS = {HMAC_SHA1: "sha1", HMAC_SHA256: "sha256"}


def _signed_as_sent(
    key: bytes, url: str, params: Mapping[str, str] | str, signature: bytes, algorithm: str
) -> bool:
    """The common case in one HMAC: the URL exactly as Twilio called it, and no field sent
    twice. The string is built as `RequestValidator.compute_signature` builds it for such a
    form (URL, then each name and value, sorted by name); anything else (a repeated field, a
    URL with or without its port) fails here and is left to `RequestValidator.validate`."""
    digest = _DIGESTS.get(algorithm.upper())
    if isinstance(params, str) or digest is None:
        return False
    text = url + "".join(name + value for name, value in sorted(params.items()))
    expected = base64.b64encode(hmac.digest(key, text.encode("utf-8"), digest))
    return hmac.compare_digest(expected, signature)


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
