"""What several commands share: settings from the environment, the store, durations."""

from __future__ import annotations

import gc
import getpass
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import Connection, Engine

from notifier.actions import Actor, Origin
from notifier.errors import UserError
from notifier.logs import configure as configure_logging
from notifier.render.escape import terminal
from notifier.rules.durations import parse_duration
from notifier.settings import Settings
from notifier.store.engine import make_engine, read_only
from notifier.store.migrations import migrate


def echo(line: str) -> None:
    """Print one line of human-readable output: what came from Twilio or a user may hold
    terminal controls, and a newline in a value must not fake another line."""
    print(terminal(line))


def settings_from_env() -> Settings:
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    return settings


def open_store(settings: Settings) -> Engine:
    engine = make_engine(settings.database_url, settings.database_pool)
    migrate(engine)
    return engine


T = TypeVar("T")


def read_store(query: Callable[[Connection], T]) -> T:
    """Runs `query` on the configured store in a connection that writes nothing."""
    engine = open_store(settings_from_env())
    try:
        with read_only(engine).connect() as conn:
            return query(conn)
    finally:
        engine.dispose()


def change_store(change: Callable[[Connection], T]) -> T:
    """Runs `change` on the configured store in one transaction."""
    engine = open_store(settings_from_env())
    try:
        with engine.begin() as conn:
            return change(conn)
    finally:
        engine.dispose()


def settle_collector() -> None:
    """For a long-running role, once it has started: what start-up built (modules, rules,
    catalog, the app) lives as long as the process, so the cycle collector stops scanning it,
    and it runs a seventieth as often. Reference counting frees a request's objects anyway;
    the collector's frequent passes cost about 7% of the instructions per webhook
    (bench/README.md)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def cli_actor() -> Actor:
    """Who acts from the command line: the login name ($USER and the like), "cli" when the
    process has none (a container's arbitrary uid)."""
    try:
        who = getpass.getuser()
    except (OSError, KeyError):
        who = ""
    return Actor(Origin.CLI, who or "cli")


def duration_arg(text: str, option: str) -> timedelta:
    try:
        value = parse_duration(text)
    except ValueError as error:
        raise UserError(f"{option}: {error}") from None
    if value is None:
        raise UserError(f"{option}: a duration such as 30m, 1h or 7d is needed, not {text!r}")
    return value
