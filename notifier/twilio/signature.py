"""X-Twilio-Signature checks: the signed URL, form or JSON bodies, several tokens."""

from __future__ import annotations

import base64
import hmac
from collections.abc import Mapping, Sequence
from enum import Enum
from urllib.parse import parse_qs, urlsplit

from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

SIGNATURE_HEADER = "x-twilio-signature"


class SignatureFailure(Enum):
    """Why a request's signature was refused."""

    MISSING = "it carries no X-Twilio-Signature header"
    UNBOUND_BODY = "its JSON body has no bodySHA256 in the URL to bind it to the signature"
    MISMATCH = "its signature matches no configured TWILIO_AUTH_TOKEN for that URL and body"


class SignatureChecker:
    """Accepts a request when any configured token (sub-accounts, rotation) signed it."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self._validators = [(token.encode("utf-8"), RequestValidator(token)) for token in tokens]

    @property
    def configured(self) -> bool:
        return bool(self._validators)

    def failure(
        self,
        url: str,
        params: Mapping[str, str] | str,
        headers: Mapping[str, str],
    ) -> SignatureFailure | None:
        """None when the request is signed. `params`: the form fields, or for JSON bodies the
        raw body text."""
        signature = headers.get(SIGNATURE_HEADER, "")
        if not signature:
            return SignatureFailure.MISSING
        # Without bodySHA256 Twilio's signature covers the URL alone: one captured signature
        # would admit any JSON body. With it, RequestValidator checks the body's hash.
        if isinstance(params, str) and "bodySHA256" not in parse_qs(urlsplit(url).query):
            return SignatureFailure.UNBOUND_BODY
        algorithm = get_signature_algorithm(headers.get(SIGNATURE_SETTINGS_HEADER.lower()))
        sent = signature.encode("utf-8", "replace")
        signed = any(
            _signed_as_sent(key, url, params, sent, algorithm)
            or validator.validate(url, params, signature, algorithm)
            for key, validator in self._validators
        )
        return None if signed else SignatureFailure.MISMATCH


# The digests Twilio signs with, as hashlib names for hmac.digest.
_DIGESTS = {HMAC_SHA1: "sha1", HMAC_SHA256: "sha256"}


def _signed_as_sent(
    key: bytes, url: str, params: Mapping[str, str] | str, signature: bytes, algorithm: str
) -> bool:
    """The common case in one HMAC: the URL exactly as Twilio called it. The string is built
    as `RequestValidator.compute_signature` builds it for a form whose names come once (URL,
    then each name and value, sorted by name); anything else (a URL with or without its port,
    a JSON body) fails here and is left to `RequestValidator.validate`."""
    digest = _DIGESTS.get(algorithm.upper())
    if isinstance(params, str) or digest is None:
        return False
    text = url + "".join(name + value for name, value in sorted(params.items()))
    expected = base64.b64encode(hmac.digest(key, text.encode("utf-8"), digest))
    return hmac.compare_digest(expected, signature)


def public_url(public_base: str, path: str, query: str) -> str:
    """The URL Twilio signed when PUBLIC_URL is set: PUBLIC_URL + path + query."""
    url = public_base.rstrip("/") + path
    return f"{url}?{query}" if query else url


def sign(token: str, url: str, params: Mapping[str, str] | str) -> str:
    """The signature Twilio would send, for `notifier simulate` and tests."""
    signed = {} if isinstance(params, str) else params
    return str(RequestValidator(token).compute_signature(url, signed))
