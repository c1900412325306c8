"""PostgreSQL of a test's own: a schema on the shared server (`own_schema`), or a whole cluster
that the test may stop and start again (`private_postgres`): the machine's shared server
(TEST_POSTGRES_URL) serves other tests and must never go down.

    with private_postgres() as pg:           # skips the test when initdb is not installed
        pg.url                               # postgresql://postgres@127.0.0.1:PORT/postgres
        pg.stop(); pg.start()

initdb refuses to run as root, so as root the cluster belongs to, and runs as, the `postgres`
user (as Debian's packages install it); any other user runs it as itself (CI's runner).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from fakes.bot import free_port
from notifier.store.engine import normalise_url

OWNER = "postgres"  # the user a root test hands the cluster to
START_SECONDS = 30


@contextlib.contextmanager
def own_schema(server_url: str | None = None) -> Iterator[str]:
    """A URL whose connections see only a new, empty schema on the shared server (by default
    TEST_POSTGRES_URL); the schema is dropped on leaving. Skips without TEST_POSTGRES_URL."""
    server_url = server_url or os.environ.get("TEST_POSTGRES_URL", "")
    if not server_url:
        pytest.skip("TEST_POSTGRES_URL is not set")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(server_url))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def bin_dir() -> Path | None:
    """Where initdb and pg_ctl live: on PATH, `pg_config --bindir`, or Debian's versioned dirs."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        bindir = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if (Path(bindir) / "initdb").exists():
            return Path(bindir)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class PrivatePostgres:
    def __init__(self, bindir: Path, folder: Path, port: int) -> None:
        self._bindir = bindir
        self._folder = folder
        self.port = port
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    @property
    def log(self) -> Path:
        return self._folder / "postgres.log"

    def init(self) -> None:
        # --no-sync: a throwaway cluster needs no fsync, at init or while it runs (fsync=off).
        self._run("initdb", "-D", self._data, "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self._folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", self._data, "-o", options, "-l", str(self.log), "-w", "start")

    def stop(self) -> None:
        """As a deploy or a failover does: every connection is cut at once (`-m fast`)."""
        self._run("pg_ctl", "-D", self._data, "-m", "fast", "-w", "stop")

    @property
    def _data(self) -> str:
        return str(self._folder / "data")

    def _run(self, program: str, *args: str) -> None:
        command = [str(self._bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", OWNER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=START_SECONDS)
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{program} failed:\n{done.stdout}{done.stderr}{log}")


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A new cluster, started; stopped and removed on leaving, whatever happened."""
    bindir = bin_dir()
    if bindir is None:
        pytest.skip("PostgreSQL's initdb is not installed (looked on PATH, pg_config, /usr/lib)")
    if os.geteuid() == 0 and not _user_exists(OWNER):
        pytest.skip(f"initdb refuses to run as root and there is no {OWNER!r} user to run it")
    # Not under pytest's tmp_path: the cluster's owner must be able to reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="notifier-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, OWNER, OWNER)
    pg = PrivatePostgres(bindir, folder, free_port())
    try:
        pg.init()
        pg.start()
        yield pg
    finally:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            pg.stop()  # already stopped when the test failed while it was down
        shutil.rmtree(folder, ignore_errors=True)
