"""What Twilio's requests need: auth tokens to check signatures with, and the PUBLIC_URL the
signatures are computed over. Pure: settings in, findings out."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from notifier.addresses import is_loopback
from notifier.doctor.report import Finding, ok, problem, warning
from notifier.settings import Settings

# Twilio's Auth Token: 32 hexadecimal characters (Console > Account Info).
_AUTH_TOKEN = re.compile(r"^[0-9a-fA-F]{32}$")
_SET_TOKEN = (
    "set TWILIO_AUTH_TOKEN to the Auth Token shown in the Twilio Console under Account Info "
    "(comma-separate several during a token rotation)"
)
# One of the routes the signatures cover, to show what PUBLIC_URL becomes.
_EXAMPLE_ROUTE = "/twilio/debugger"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def auth_tokens(settings: Settings) -> list[Finding]:
    name = "twilio auth token"
    tokens = settings.auth_tokens
    if not tokens:
        return [_no_token(name, settings.allow_unsigned_loopback)]
    wrong = [n for n, token in enumerate(tokens, start=1) if not _AUTH_TOKEN.match(token)]
    if wrong:
        which = ", ".join(f"{n} ({len(tokens[n - 1])} characters)" for n in wrong)
        detail = f"token {which} of {len(tokens)} is not 32 hexadecimal characters"
        return [problem(name, detail, "copy it again: " + _SET_TOKEN)]
    found = [ok(name, f"{len(tokens)} token{'s' if len(tokens) > 1 else ''}, well-formed")]
    if settings.allow_unsigned_loopback:
        detail = "ALLOW_UNSIGNED_LOOPBACK is set: it does nothing while a token is set"
        found.append(warning("development mode", detail, "unset ALLOW_UNSIGNED_LOOPBACK"))
    return found


def _no_token(name: str, development: bool) -> Finding:
    if development:
        detail = (
            "not set, and ALLOW_UNSIGNED_LOOPBACK=1: development mode, where only unsigned "
            "requests from this machine are accepted; not for production"
        )
        return problem(name, detail, _SET_TOKEN + ", and unset ALLOW_UNSIGNED_LOOPBACK")
    detail = "not set: `notifier serve` refuses to start without it"
    return problem(name, detail, _SET_TOKEN)


def public_url(settings: Settings) -> list[Finding]:
    """Twilio signs the URL it calls; with PUBLIC_URL set the bot checks against PUBLIC_URL +
    the route's path. A CLI cannot see what the router forwards, so this checks the URL's
    form and its agreement with PORT on loopback; `notifier simulate debugger` proves the
    whole way through the router."""
    name = "public url"
    url = settings.public_url
    if url is None:
        return [_unset(name, settings)]
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.query or parts.fragment:
        fix = f"set PUBLIC_URL to the base URL alone: {parts.scheme}://{parts.netloc}"
        return [problem(name, f"{url} has a query or fragment, but routes follow it", fix)]
    if parts.scheme != "https" and not is_loopback(host):
        fix = f"set PUBLIC_URL to https://{parts.netloc}, as Twilio is given it"
        return [problem(name, f"{url} is not https (http is for loopback only)", fix)]
    found = [ok(name, f"{url}: Twilio's signatures are checked over {url}{_EXAMPLE_ROUTE} etc.")]
    if parts.path:
        detail = f"{url} has the path {parts.path}: it works only if the router strips it"
        fix = f"set PUBLIC_URL to {parts.scheme}://{parts.netloc} unless the router strips it"
        found.append(warning("public url path", detail, fix))
    port = parts.port or _DEFAULT_PORTS[parts.scheme]
    if is_loopback(host) and port != settings.port:
        detail = f"{url} is loopback, but the bot listens on PORT {settings.port}"
        found.append(warning("public url port", detail, f"use port {settings.port} in PUBLIC_URL"))
    return found


def _unset(name: str, settings: Settings) -> Finding:
    if settings.forwarded_allow_ips is not None:
        detail = (
            "not set: each request's URL is rebuilt from the X-Forwarded-* headers of "
            f"FORWARDED_ALLOW_IPS={settings.forwarded_allow_ips!r}"
        )
        return warning(name, detail, "set PUBLIC_URL to the https URL Twilio calls")
    detail = (
        "not set: signatures are checked over the URL each request arrives on, which behind "
        "a platform's router is not the https URL Twilio signed"
    )
    return problem(name, detail, "set PUBLIC_URL to the https URL Twilio calls")
