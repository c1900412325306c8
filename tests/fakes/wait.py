"""Waiting in tests: poll a check until it holds, bounded, failing with what did not happen."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    check: Callable[[], T | None], what: str, log: Path | None = None, seconds: float = 15
) -> T:
    """The first truthy value `check()` returns; fails naming `what` (and showing `log`, a
    server's output, when given) after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    shown = f"; server log:\n{log.read_text()}" if log is not None else ""
    raise AssertionError(f"no {what} within {seconds:g} s{shown}")
