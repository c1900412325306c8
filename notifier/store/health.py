"""Whether the store can take writes now: what `/readyz` tells a PaaS router or a monitor.

Cheap enough to be polled: a few `stat` calls and one short read, never a write, so polling
adds nothing to the WAL. A write that would fail is foreseen instead: no room left to grow
(SQLite's own page limit or the disk), a read-only file system, or a database file deleted or
replaced under the running process, which keeps writing to the file it opened and loses it all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Connection, Engine, text

from notifier.store.engine import read_only

# Below this much room a commit (and the checkpoint copying it into the file) may not fit.
MIN_ROOM_BYTES = 1024 * 1024
FULL = "not writable: database or disk is full"


class _FileIdentity(NamedTuple):
    device: int
    inode: int


class StoreHealth:
    """Answers whether the store opened at construction still takes writes."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._path = _sqlite_file(engine)
        self._opened = _identity(self._path) if self._path else None

    def problem(self) -> str | None:
        """None while the store takes writes; otherwise what is wrong, in a few words."""
        if self._path is not None:
            found = self._file_problem(self._path)
            if found:
                return found
        try:
            with read_only(self._engine).connect() as conn:
                return _room_problem(conn, self._path)
        except Exception as error:  # whatever the driver raises, the store is out of reach
            return f"unreachable: {type(error).__name__}"

    def _file_problem(self, path: Path) -> str | None:
        try:
            now = _identity(path)
        except FileNotFoundError:
            return f"not writable: the database file {path} was deleted"
        except OSError as error:
            return f"not writable: the database file {path}: {error.strerror}"
        if now != self._opened:
            return f"not writable: the database file {path} was replaced"
        if not os.access(path, os.W_OK) or os.statvfs(path).f_flag & os.ST_RDONLY:
            return f"not writable: the database file {path} is read-only"
        return None


def _sqlite_file(engine: Engine) -> Path | None:
    name = engine.url.database
    in_memory = name in (None, "", ":memory:") or engine.url.query.get("mode") == "memory"
    if engine.dialect.name != "sqlite" or in_memory:
        return None
    return Path(str(name)).resolve()


def _identity(path: Path) -> _FileIdentity:
    status = path.stat()
    return _FileIdentity(status.st_dev, status.st_ino)


def _room_problem(conn: Connection, path: Path | None) -> str | None:
    if conn.dialect.name == "postgresql":
        # A standby, or a database set read-only, refuses every write.
        read_only_now = conn.execute(text("SHOW transaction_read_only")).scalar()
        return "not writable: the database is read-only" if read_only_now == "on" else None
    if path is None:  # an in-memory SQLite store lives and dies with the process
        return None
    disk = os.statvfs(path.parent)
    disk_room = disk.f_bavail * disk.f_frsize
    if disk_room < MIN_ROOM_BYTES:
        return f"{FULL} ({disk_room // 1024} KiB free in {path.parent})"
    pages = {
        name: int(conn.execute(text(f"PRAGMA {name}")).scalar_one())
        for name in ("page_size", "page_count", "freelist_count", "max_page_count")
    }
    spare = pages["max_page_count"] - pages["page_count"] + pages["freelist_count"]
    if spare * pages["page_size"] < MIN_ROOM_BYTES:
        return f"{FULL} (SQLite's max_page_count is reached)"
    return None
