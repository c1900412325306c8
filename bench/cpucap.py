"""Hold a process to a share of the CPU, as a PaaS dyno or container is held: a cgroup of its own
with a CFS quota (cgroup v1's `cpu` controller or v2's `cpu.max`). Needs root, or a delegated
cgroup tree.

    with cpu_cap(pid, 0.4):      # at most 0.4 of a core, averaged over each 100 ms
        ...
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path

V1 = Path("/sys/fs/cgroup/cpu")
V2 = Path("/sys/fs/cgroup")
PERIOD_US = 100_000


class CapUnavailable(RuntimeError):
    pass


def _root() -> tuple[Path, bool]:
    """The cgroup under which to make the cap's, and whether it is v2."""
    if (V1 / "cpu.cfs_quota_us").exists():
        return V1, False
    if (V2 / "cgroup.controllers").exists():
        return V2, True
    raise CapUnavailable("no cgroup cpu controller under /sys/fs/cgroup")


@contextlib.contextmanager
def cpu_cap(pid: int, cores: float) -> Iterator[None]:
    root, v2 = _root()
    group = root / f"bench-cap-{secrets.token_hex(4)}"
    quota = str(max(1000, int(cores * PERIOD_US)))
    try:
        if v2:
            (root / "cgroup.subtree_control").write_text("+cpu")
        group.mkdir()
        if v2:
            (group / "cpu.max").write_text(f"{quota} {PERIOD_US}")
        else:
            (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(quota)
        (group / "cgroup.procs").write_text(str(pid))
    except OSError as error:
        with contextlib.suppress(OSError):
            group.rmdir()
        raise CapUnavailable(f"cannot cap the CPU of process {pid}: {error}") from None
    try:
        yield
    finally:
        with contextlib.suppress(OSError):  # gone already: the cgroup is empty
            (root / "cgroup.procs").write_text(str(pid))
        with contextlib.suppress(OSError):
            group.rmdir()
