"""Environment variables, parsed once into Settings; a bad value names the variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from notifier.errors import UserError
from notifier.rules.durations import parse_duration

DEFAULT_DATABASE_URL = "sqlite:///notifier.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")


class EnvVar(NamedTuple):
    name: str
    secret: bool
    description: str


# Every variable the bot reads, in one list: app.json, render.yaml and the README are checked
# against it (tests/deploy), and reading a variable that is not here is a programming error.
ENVIRONMENT = (
    EnvVar("TWILIO_AUTH_TOKEN", True, "Twilio Auth Token(s) that sign webhooks, comma-separated"),
    EnvVar("PUBLIC_URL", False, "the base URL Twilio calls, e.g. https://alerts.example.com"),
    EnvVar("DATABASE_URL", True, "sqlite:///file.db or a postgres:// URL"),
    EnvVar("RULES_FILE", False, "the rules file (default rules.toml)"),
    EnvVar("SLACK_BOT_TOKEN", True, "the Slack app's bot token (xoxb-...)"),
    EnvVar("SLACK_API_URL", False, "Slack's Web API base URL (tests point it at a fake)"),
    EnvVar("SLACK_SIGNING_SECRET", True, "the Slack app's signing secret: turns on buttons"),
    EnvVar("SLACK_ALLOWED_USERS", False, "Slack user IDs who may act, comma-separated"),
    EnvVar("SLACK_ALLOWED_GROUPS", False, "Slack user group IDs whose members may act"),
    EnvVar(
        "SMTP_URL", True, "smtp://user:pass@host:587, smtps://...:465 or smtp://relay:25?tls=off"
    ),
    EnvVar("EMAIL_FROM", False, "the From address of alert emails"),
    EnvVar("TWILIO_ERROR_CODES_FILE", False, "another copy of Twilio's error-code catalog"),
    EnvVar("TWILIO_ERROR_CODES_REFRESH", False, "1: fetch the live catalog at start-up"),
    EnvVar("PORT", False, "the web port (default 8000)"),
    EnvVar("LOG_LEVEL", False, "DEBUG, INFO, WARNING or ERROR"),
    EnvVar("LOG_FORMAT", False, "text (the default) or json: one JSON object a line"),
    EnvVar("ALLOW_UNSIGNED_LOOPBACK", False, "development only: unsigned requests from loopback"),
    EnvVar("FORWARDED_ALLOW_IPS", False, "proxies whose X-Forwarded-* headers are trusted"),
    EnvVar("WEB_MAX_CONNECTIONS", False, "open connections before idle ones are closed"),
    EnvVar("WEB_READ_TIMEOUT", False, "seconds a request's headers and body may take to arrive"),
    EnvVar("DATABASE_POOL_SIZE", False, "PostgreSQL connections each process keeps (default 4)"),
    EnvVar("DATABASE_MAX_OVERFLOW", False, "PostgreSQL connections beyond the pool at a peak (2)"),
    EnvVar(
        "DATABASE_STATEMENT_TIMEOUT", False, "PostgreSQL statements end after this (30s, or off)"
    ),
    EnvVar("CONSOLE_PASSWORD", True, "turns on the web console at /console, with this password"),
    EnvVar("SESSION_SECRET", True, "signs console sessions (default: derived from the password)"),
)
ENV_NAMES = frozenset(var.name for var in ENVIRONMENT)


@dataclass(frozen=True)
class PoolLimits:
    """PostgreSQL connections per process, and how long one statement may run. A hobby
    database allows about 20 connections for web, worker and clock together: three processes
    of 4 + 2, plus the web inbox's own 2 (notifier.ingest.writer), at a peak of all at once."""

    size: int = 4
    overflow: int = 2
    # A statement past this waits on a lock or an overloaded database: cancelled, it fails
    # its request (503, Twilio retries) or batch (claimed again) instead of holding a connection.
    statement_timeout: timedelta | None = timedelta(seconds=30)


@dataclass(frozen=True)
class Settings:
    auth_tokens: tuple[str, ...] = ()
    public_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    rules_file: Path = Path("rules.toml")
    slack_bot_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    # Interactivity (buttons, /twilio-alerts) is on when the signing secret is set; the
    # allow-lists, when either is set, name who may act (anyone in the workspace otherwise).
    slack_signing_secret: str | None = None
    slack_allowed_users: tuple[str, ...] = ()
    slack_allowed_groups: tuple[str, ...] = ()
    # Seconds any one call to Slack may take before it is given up and retried.
    slack_timeout: float = 10.0
    smtp_url: str | None = None
    email_from: str | None = None
    error_codes_file: Path | None = None
    # The bundled catalog is used offline; a newer one is fetched only when asked.
    error_codes_refresh: bool = False
    port: int = 8000
    log_level: str = "INFO"
    log_format: str = "text"
    # Development only: accept unsigned requests from loopback when no token is configured.
    allow_unsigned_loopback: bool = False
    max_body_bytes: int = 256 * 1024
    # uvicorn's proxy trust (its FORWARDED_ALLOW_IPS; None: 127.0.0.1 only).
    forwarded_allow_ips: str | None = None
    # Slow and idle clients: beyond WEB_MAX_CONNECTIONS open connections the one waiting longest
    # for a request is closed; a request's headers, and a webhook's body, get WEB_READ_TIMEOUT.
    max_connections: int = 1000
    read_timeout: float = 10.0
    database_pool: PoolLimits = field(default_factory=PoolLimits)
    # The web console (/console) is on only when a password is set.
    console_password: str | None = None
    session_secret: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        def get(name: str) -> str | None:
            if name not in ENV_NAMES:
                raise KeyError(f"{name} is missing from settings.ENVIRONMENT")
            value = env.get(name, "").strip()
            return value or None

        return cls(
            auth_tokens=tuple(
                t.strip() for t in (get("TWILIO_AUTH_TOKEN") or "").split(",") if t.strip()
            ),
            public_url=_url("PUBLIC_URL", get("PUBLIC_URL")),
            database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            rules_file=Path(get("RULES_FILE") or "rules.toml"),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_api_url=_slack_api_url(get("SLACK_API_URL")),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_allowed_users=_slack_ids("SLACK_ALLOWED_USERS", get("SLACK_ALLOWED_USERS")),
            slack_allowed_groups=_slack_ids("SLACK_ALLOWED_GROUPS", get("SLACK_ALLOWED_GROUPS")),
            smtp_url=get("SMTP_URL"),
            email_from=get("EMAIL_FROM"),
            error_codes_file=_path(get("TWILIO_ERROR_CODES_FILE")),
            error_codes_refresh=_flag(
                "TWILIO_ERROR_CODES_REFRESH", get("TWILIO_ERROR_CODES_REFRESH")
            ),
            port=_port(get("PORT")),
            log_level=_log_level(get("LOG_LEVEL")),
            log_format=_log_format(get("LOG_FORMAT")),
            allow_unsigned_loopback=_flag(
                "ALLOW_UNSIGNED_LOOPBACK", get("ALLOW_UNSIGNED_LOOPBACK")
            ),
            forwarded_allow_ips=get("FORWARDED_ALLOW_IPS"),
            max_connections=_count("WEB_MAX_CONNECTIONS", get("WEB_MAX_CONNECTIONS"), 1000),
            read_timeout=_seconds("WEB_READ_TIMEOUT", get("WEB_READ_TIMEOUT"), 10.0),
            database_pool=PoolLimits(
                size=_count("DATABASE_POOL_SIZE", get("DATABASE_POOL_SIZE"), PoolLimits.size),
                overflow=_count(
                    "DATABASE_MAX_OVERFLOW",
                    get("DATABASE_MAX_OVERFLOW"),
                    PoolLimits.overflow,
                    minimum=0,
                ),
                statement_timeout=_timeout(
                    "DATABASE_STATEMENT_TIMEOUT", get("DATABASE_STATEMENT_TIMEOUT")
                ),
            ),
            console_password=get("CONSOLE_PASSWORD"),
            session_secret=get("SESSION_SECRET"),
        )


def _url(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(f"{name} is not an http(s) URL: {value!r}")
    return value.rstrip("/")


def _slack_api_url(value: str | None) -> str:
    url = _url("SLACK_API_URL", value) or DEFAULT_SLACK_API_URL.rstrip("/")
    return url + "/"


def _slack_ids(name: str, value: str | None) -> tuple[str, ...]:
    """Comma-separated Slack IDs (U…/W… users, S… user groups), as Slack shows them."""
    ids = tuple(part.strip() for part in (value or "").split(",") if part.strip())
    for item in ids:
        if not item.isalnum() or not item.isupper():
            raise UserError(f"{name} holds {item!r}, which is not a Slack ID such as U012ABCDEF")
    return ids


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _port(value: str | None) -> int:
    if value is None:
        return 8000
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise UserError(f"PORT is not a TCP port number: {value!r}")
    return int(value)


def _count(name: str, value: str | None, default: int, *, minimum: int = 1) -> int:
    if value is None:
        return default
    if not value.isdigit() or int(value) < minimum:
        wanted = "positive whole number" if minimum else "whole number (0 or more)"
        raise UserError(f"{name} is not a {wanted}: {value!r}")
    return int(value)


def _timeout(name: str, value: str | None) -> timedelta | None:
    if value is None:
        return PoolLimits.statement_timeout
    try:
        timeout = parse_duration(value)
    except ValueError:
        timeout = timedelta(0)
    if timeout is not None and timeout < timedelta(seconds=1):
        raise UserError(f"{name} is not a duration such as 30s or 2m, nor off: {value!r}")
    return timeout


def _seconds(name: str, value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise UserError(f"{name} is not a positive number of seconds: {value!r}")
    return seconds


def _log_level(value: str | None) -> str:
    level = (value or "INFO").upper()
    if level not in LOG_LEVELS:
        raise UserError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
    return level


def _log_format(value: str | None) -> str:
    log_format = (value or "text").lower()
    if log_format not in LOG_FORMATS:
        raise UserError(f"LOG_FORMAT must be text or json, not {value!r}")
    return log_format


def _flag(name: str, value: str | None) -> bool:
    if value is None:
        return False
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise UserError(f"{name} must be 1/true or 0/false, not {value!r}")
