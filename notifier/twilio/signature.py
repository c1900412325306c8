"""X-Twilio-Signature checks: the signed URL, form or JSON bodies, several tokens."""

from __future__ import annotations

import base64
import hmac
from collections.abc import Iterator, Mapping, Sequence
from enum import Enum
from urllib.parse import parse_qs, urlparse, urlsplit

from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    add_port,
    get_signature_algorithm,
    remove_port,
)

SIGNATURE_HEADER = "x-twilio-signature"


class SignatureFailure(Enum):
    """Why a request's signature was refused."""

    MISSING = "it carries no X-Twilio-Signature header"
    ALGORITHM = "it names a signature algorithm this bot does not know"
    UNBOUND_BODY = "its JSON body has no bodySHA256 in the URL to bind it to the signature"
    MISMATCH = "its signature matches no configured TWILIO_AUTH_TOKEN for that URL and body"


# The digests Twilio signs with, as hashlib names for hmac.digest.
_DIGESTS = {HMAC_SHA1: "sha1", HMAC_SHA256: "sha256"}


class SignatureChecker:
    """Accepts a request when any configured token (sub-accounts, rotation) signed it."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self._keys = [token.encode("utf-8") for token in tokens]
        self._validators = [RequestValidator(token) for token in tokens]

    @property
    def configured(self) -> bool:
        return bool(self._keys)

    def failure(
        self,
        url: str,
        params: Mapping[str, str] | str,
        headers: Mapping[str, str],
    ) -> SignatureFailure | None:
        """None when the request is signed. `params`: the form fields (each name once), or for
        JSON bodies the raw body text."""
        signature = headers.get(SIGNATURE_HEADER, "")
        if not signature:
            return SignatureFailure.MISSING
        algorithm = get_signature_algorithm(headers.get(SIGNATURE_SETTINGS_HEADER.lower()))
        digest = _DIGESTS.get(algorithm.upper())
        if digest is None:
            return SignatureFailure.ALGORITHM
        if isinstance(params, str):
            # Without bodySHA256 Twilio's signature covers the URL alone: one captured signature
            # would admit any JSON body. With it, RequestValidator checks the body's hash.
            if "bodySHA256" not in parse_qs(urlsplit(url).query):
                return SignatureFailure.UNBOUND_BODY
            signed = any(v.validate(url, params, signature, algorithm) for v in self._validators)
        else:
            sent = signature.encode("utf-8", "replace")
            signed = _form_signed(self._keys, url, params, sent, digest)
        return None if signed else SignatureFailure.MISMATCH


def _form_signed(
    keys: list[bytes], url: str, params: Mapping[str, str], signature: bytes, digest: str
) -> bool:
    """`RequestValidator.validate`'s verdict on a form whose names come once, in one HMAC per
    token for the URL exactly as Twilio called it, then for the URL with and without its
    default port (Twilio is not consistent about it). The string signed is built as
    `RequestValidator.compute_signature` builds it: the URL, then each name and value, sorted
    by name."""
    fields = "".join(name + value for name, value in sorted(params.items()))
    return any(
        hmac.compare_digest(
            base64.b64encode(hmac.digest(key, (candidate + fields).encode("utf-8"), digest)),
            signature,
        )
        for candidate in _with_and_without_port(url)
        for key in keys
    )


def _with_and_without_port(url: str) -> Iterator[str]:
    yield url
    parsed = urlparse(url)  # only once the URL as sent has failed
    yield add_port(parsed)
    yield remove_port(parsed)


def public_url(public_base: str, path: str, query: str) -> str:
    """The URL Twilio signed when PUBLIC_URL is set: PUBLIC_URL + path + query."""
    url = public_base.rstrip("/") + path
    return f"{url}?{query}" if query else url


def sign(token: str, url: str, params: Mapping[str, str] | str) -> str:
    """The signature Twilio would send, for `notifier simulate` and tests."""
    signed = {} if isinstance(params, str) else params
    return str(RequestValidator(token).compute_signature(url, signed))
