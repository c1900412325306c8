import os
import pathlib
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from notifier.store.engine import make_engine
from notifier.store.migrations import migrate
from notifier.twilio.catalog import BUNDLED

# Lets tests import shared helpers as `from fakes.slack import FakeSlack`.
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from fakes.private_pg import own_schema

TEST_DATA = pathlib.Path(__file__).parent / "data"
# The catalog the package ships: tests name codes exactly as a fresh install does.
ERROR_CODES_FILE = pathlib.Path(str(BUNDLED))
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[str]:
    """A fresh, empty store on each backend: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with own_schema(POSTGRES_URL) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated store on each backend."""
    store = make_engine(database_url)
    migrate(store)
    yield store
    store.dispose()
