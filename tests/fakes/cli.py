"""Run `notifier` commands in-process against a test store, closing what they open."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

import notifier.app
import notifier.cli.common
from notifier.settings import PoolLimits
from notifier.store.engine import make_engine
from notifier.twilio.catalog import BUNDLED

ERROR_CODES = Path(str(BUNDLED))
# Two console receivers, "ops" the default; the routes follow.
OPS_AND_FINANCE = """
[receivers.ops]
console = {}
[receivers.finance]
console = {}
[defaults]
receivers = ["ops"]
"""


@contextlib.contextmanager
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, rules_file: Path) -> Iterator[None]:
    """Point the commands at the store and rules; dispose of every engine they open after the
    test, as process exit would (PostgreSQL connections left open fail strict pytest)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RULES_FILE", str(rules_file))
    monkeypatch.setenv("TWILIO_ERROR_CODES_FILE", str(ERROR_CODES))
    opened: list[Engine] = []

    def tracked(url: str, pool: PoolLimits | None = None) -> Engine:
        engine = make_engine(url, pool)
        opened.append(engine)
        return engine

    monkeypatch.setattr(notifier.app, "make_engine", tracked)
    monkeypatch.setattr(notifier.cli.common, "make_engine", tracked)
    try:
        yield
    finally:
        for engine in opened:
            engine.dispose()


def database_fixture(rules: str) -> Any:
    """`database = database_fixture(RULES)` in a test module gives a `database` fixture: the
    test's store URL, with the commands pointed at it and at `rules` (see cli_env)."""

    @pytest.fixture
    def database(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[str]:
        (tmp_path / "rules.toml").write_text(rules, encoding="utf-8")
        with cli_env(monkeypatch, database_url, tmp_path / "rules.toml"):
            yield database_url

    return database
