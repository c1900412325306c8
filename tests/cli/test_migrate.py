from collections.abc import Callable
from pathlib import Path

import pytest
from fakes.cli import cli_env
from fakes.rules import CONSOLE_RULES

from notifier.cli import main
from notifier.store.engine import make_engine
from notifier.store.migrations import MIGRATIONS, current_version, migrate, upgrade

LATEST = len(MIGRATIONS)
OLD = 5


def nothing(url: str) -> None:
    """A store not created yet."""


def old_store(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        upgrade(conn, OLD)
    engine.dispose()


def current_store(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (nothing, f"created the store, schema v{LATEST}"),
        (old_store, f"upgraded the store from schema v{OLD} to v{LATEST}"),
        (current_store, f"the store is up to date (schema v{LATEST})"),
    ],
    ids=["new-store-says-created", "old-store-says-upgraded-from-to", "current-store-up-to-date"],
)
def test_migrate_says_what_it_did_to_the_store(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    prepare: Callable[[str], None],
    message: str,
) -> None:
    (tmp_path / "rules.toml").write_text(CONSOLE_RULES, encoding="utf-8")
    prepare(database_url)

    with cli_env(monkeypatch, database_url, tmp_path / "rules.toml"):
        assert main(["migrate"]) == 0

    assert capsys.readouterr().out == message + "\n"
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert current_version(conn) == LATEST
    engine.dispose()
