"""On PostgreSQL the engine honours PoolLimits: the pool's size and a statement timeout."""

import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from notifier.settings import PoolLimits
from notifier.store.engine import make_engine

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("TEST_POSTGRES_URL"), reason="needs TEST_POSTGRES_URL"),
]
URL = os.environ.get("TEST_POSTGRES_URL", "")
CANCELLED = "canceling statement due to statement timeout"


def test_a_statement_past_the_timeout_is_cancelled() -> None:
    engine = make_engine(URL, PoolLimits(statement_timeout=timedelta(seconds=1)))
    started = time.monotonic()
    try:
        with engine.connect() as conn, pytest.raises(OperationalError, match=CANCELLED):
            conn.execute(text("SELECT pg_sleep(5)"))
    finally:
        engine.dispose()

    assert time.monotonic() - started < 4


def test_the_statement_timeout_keeps_the_urls_own_options() -> None:
    separator = "&" if "?" in URL else "?"
    with_options = f"{URL}{separator}options=-csearch_path%3Dnotifier_probe"
    engine = make_engine(with_options, PoolLimits(statement_timeout=timedelta(seconds=7)))
    try:
        with engine.connect() as conn:
            timeout = conn.execute(text("SHOW statement_timeout")).scalar_one()
            path = conn.execute(text("SHOW search_path")).scalar_one()
    finally:
        engine.dispose()

    assert timeout == "7s"
    assert path == "notifier_probe"  # from the URL's options


def test_timeout_off_leaves_statements_unbounded() -> None:
    engine = make_engine(URL, PoolLimits(statement_timeout=None))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "0"
    finally:
        engine.dispose()


def test_the_pool_lends_no_more_than_size_plus_overflow_connections() -> None:
    engine = make_engine(URL, PoolLimits(size=2, overflow=1))
    engine.pool._timeout = 0.5  # type: ignore[attr-defined]  # fail fast instead of 30 s
    held = [engine.connect() for _ in range(3)]
    try:
        with pytest.raises(PoolTimeout):
            engine.connect()
        pids = {conn.execute(text("SELECT pg_backend_pid()")).scalar_one() for conn in held}
    finally:
        for conn in held:
            conn.close()
        engine.dispose()

    assert len(pids) == 3
    assert engine.pool.size() == 2  # type: ignore[attr-defined]
