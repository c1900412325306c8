"""DATABASE_POOL_SIZE, DATABASE_MAX_OVERFLOW and DATABASE_STATEMENT_TIMEOUT: defaults for a
hobby PostgreSQL (about 20 connections for every process), and bad values named."""

from datetime import timedelta

import pytest

from notifier.errors import UserError
from notifier.settings import PoolLimits, Settings


def test_defaults_fit_three_processes_in_a_hobby_databases_20_connections() -> None:
    pool = Settings.from_env({}).database_pool

    assert pool == PoolLimits(4, 2, timedelta(seconds=30))
    assert 3 * (pool.size + pool.overflow) <= 20 - 2  # room for the release phase and psql


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({"DATABASE_POOL_SIZE": "10"}, PoolLimits(size=10), id="pool-size"),
        pytest.param({"DATABASE_MAX_OVERFLOW": "0"}, PoolLimits(overflow=0), id="no-overflow"),
        pytest.param(
            {"DATABASE_STATEMENT_TIMEOUT": "2m"},
            PoolLimits(statement_timeout=timedelta(minutes=2)),
            id="timeout-as-a-rules-duration",
        ),
        pytest.param(
            {"DATABASE_STATEMENT_TIMEOUT": "off"},
            PoolLimits(statement_timeout=None),
            id="timeout-off",
        ),
        pytest.param({"DATABASE_POOL_SIZE": " "}, PoolLimits(), id="blank-is-the-default"),
    ],
)
def test_pool_limits_are_read_from_the_environment(
    env: dict[str, str], expected: PoolLimits
) -> None:
    assert Settings.from_env(env).database_pool == expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_POOL_SIZE", "0", "DATABASE_POOL_SIZE is not a positive whole number: '0'"),
        ("DATABASE_POOL_SIZE", "five", "DATABASE_POOL_SIZE is not a positive whole number: 'five'"),
        ("DATABASE_MAX_OVERFLOW", "-1", r"DATABASE_MAX_OVERFLOW is not a whole number \(0 or"),
        ("DATABASE_STATEMENT_TIMEOUT", "30", "DATABASE_STATEMENT_TIMEOUT is not a duration .*'30'"),
        ("DATABASE_STATEMENT_TIMEOUT", "0s", "DATABASE_STATEMENT_TIMEOUT is not a duration .*'0s'"),
        ("DATABASE_STATEMENT_TIMEOUT", "soon", "nor off: 'soon'"),
    ],
)
def test_a_bad_pool_setting_names_the_variable_and_the_value(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        Settings.from_env({name: value})
