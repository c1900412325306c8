"""The store: reachable, and at the schema version this code needs. Never migrates: that is
`notifier migrate` (the release phase), whose run the fix names."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from notifier.doctor.report import Finding, ok, problem
from notifier.errors import UserError
from notifier.settings import Settings
from notifier.store.engine import make_engine, normalise_url, read_only
from notifier.store.migrations import MIGRATIONS, stored_version

NAME = "store"
# Seconds libpq may take to connect (its connect_timeout), unless DATABASE_URL sets it.
CONNECT_SECONDS = 10
_MIGRATE = "run `notifier migrate` (the release phase runs it on each deploy)"


def store(settings: Settings) -> list[Finding]:
    try:
        engine = make_engine(_bounded(settings.database_url))
    except UserError as error:
        fix = "set DATABASE_URL to sqlite:///FILE or a postgres:// URL"
        return [problem(NAME, str(error), fix)]
    try:
        return [_version(engine)]
    finally:
        engine.dispose()


def _version(engine: Engine) -> Finding:
    where = engine.url.render_as_string(hide_password=True)
    missing = _missing_sqlite_file(engine)
    if missing is not None:
        return problem(NAME, f"{where}: no such file, so no store yet", _MIGRATE)
    try:
        with read_only(engine).begin() as conn:
            version = stored_version(conn)
    except SQLAlchemyError as error:
        # The driver's own message (psycopg: "connection refused"), not SQLAlchemy's wrapping.
        reason = _first_line(str(getattr(error, "orig", None) or error))
        password = engine.url.password
        if password:
            reason = reason.replace(str(password), "[redacted]")
        fix = "check DATABASE_URL, and that the database server is running and reachable"
        return problem(NAME, f"cannot reach {where}: {reason}", fix)
    return _compare(where, version, len(MIGRATIONS))


def _compare(where: str, version: int, latest: int) -> Finding:
    if version == latest:
        return ok(NAME, f"{where}: reachable, schema v{version} (this version's)")
    if version == 0:
        return problem(NAME, f"{where}: reachable but empty (no schema)", _MIGRATE)
    if version < latest:
        return problem(NAME, f"{where}: schema v{version}, this version needs v{latest}", _MIGRATE)
    detail = f"{where}: schema v{version} is newer than this version's v{latest}"
    return problem(NAME, detail, "deploy the release that migrated the store, or a newer one")


def _bounded(database_url: str) -> str:
    """The URL with a connect timeout for PostgreSQL: an unreachable host must not hold the
    doctor for the system's TCP timeout (minutes)."""
    try:
        url = make_url(normalise_url(database_url))
    except ArgumentError:
        return database_url  # make_engine says what is wrong with it
    if url.get_backend_name() != "postgresql" or "connect_timeout" in url.query:
        return database_url
    bounded = url.update_query_dict({"connect_timeout": str(CONNECT_SECONDS)})
    return bounded.render_as_string(hide_password=False)


def _missing_sqlite_file(engine: Engine) -> Path | None:
    """Connecting to SQLite creates a missing file: an empty store the doctor must not make."""
    url = make_url(normalise_url(str(engine.url)))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database)
    return None if path.exists() or url.query.get("mode") == "memory" else path


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:300] if lines else "no answer"
