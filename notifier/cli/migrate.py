"""`notifier migrate`: bring the store's schema up to date (the `release` role)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from notifier.cli.common import settings_from_env
from notifier.store.engine import make_engine
from notifier.store.migrations import Migrated, migrate


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "migrate",
        help="create or upgrade the store's tables",
        description="Apply pending schema migrations to DATABASE_URL (safe to run repeatedly).",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    # The release step: a migration that builds an index on a large table may rightly run
    # longer than DATABASE_STATEMENT_TIMEOUT allows a request's statements.
    engine = make_engine(
        settings.database_url, replace(settings.database_pool, statement_timeout=None)
    )
    try:
        migrated = migrate(engine)
    finally:
        engine.dispose()
    print(summary(migrated))
    return 0


def summary(migrated: Migrated) -> str:
    """What `migrate` did, in the words of someone who just ran it."""
    before, after = migrated
    if before == 0:
        return f"created the store, schema v{after}"
    if before < after:
        return f"upgraded the store from schema v{before} to v{after}"
    return f"the store is up to date (schema v{after})"
