"""What several commands share: settings from the environment, the store, durations."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from notifier.errors import UserError
from notifier.rules.durations import parse_duration
from notifier.settings import Settings, configure_logging
from notifier.store.engine import make_engine
from notifier.store.migrations import migrate


def settings_from_env() -> Settings:
    settings = Settings.from_env()
    configure_logging(settings)
    return settings


def open_store(settings: Settings) -> Engine:
    engine = make_engine(settings.database_url)
    migrate(engine)
    return engine


def duration_arg(text: str, option: str) -> timedelta:
    try:
        value = parse_duration(text)
    except ValueError as error:
        raise UserError(f"{option}: {error}") from None
    if value is None:
        raise UserError(f"{option}: a duration such as 30m, 1h or 7d is needed, not {text!r}")
    return value
