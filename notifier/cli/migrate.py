"""`notifier migrate`: bring the store's schema up to date (the `release` role)."""

from __future__ import annotations

import argparse
from typing import Any

from notifier.cli.common import open_store, settings_from_env


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "migrate",
        help="create or upgrade the store's tables",
        description="Apply pending schema migrations to DATABASE_URL (safe to run repeatedly).",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    engine = open_store(settings_from_env())
    engine.dispose()
    print("store schema is up to date")
    return 0
