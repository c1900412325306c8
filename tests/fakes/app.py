"""The app in-process on a test store, with the rules file it reads."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from starlette.testclient import TestClient

from notifier.app import Runtime, create_app
from notifier.settings import Settings
from notifier.twilio.catalog import BUNDLED

GOOD_RULES = '[receivers.local]\nconsole = {}\n\n[[routes]]\nname = "all"\n'


def write(path: Path, text: str, mtime: float) -> None:
    path.write_text(text)
    os.utime(path, (mtime, mtime))


@contextlib.contextmanager
def app_client(tmp_path: Path, database_url: str) -> Iterator[tuple[TestClient, Runtime, Path]]:
    """A running app (its background loops too, no worker) and the rules file it watches."""
    rules = tmp_path / "rules.toml"
    write(rules, GOOD_RULES, 1_000_000)
    settings = Settings(
        auth_tokens=("tok",),
        database_url=database_url,
        rules_file=rules,
        error_codes_file=Path(str(BUNDLED)),
    )
    runtime = Runtime.start(settings, fetch_catalog=False)
    try:
        with TestClient(create_app(runtime, run_worker=False)) as client:
            yield client, runtime, rules
    finally:
        runtime.engine.dispose()
