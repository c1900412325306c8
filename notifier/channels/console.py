"""Printing notices to a stream (stdout by default)."""

from __future__ import annotations

import sys
from typing import TextIO

from notifier.channels.result import Sent


def print_notice(text: str, stream: TextIO | None = None) -> Sent:
    """Write one rendered block and flush, so it shows up at once in `docker logs` and friends."""
    out = stream if stream is not None else sys.stdout
    out.write(text if text.endswith("\n") else text + "\n")
    out.flush()
    return Sent()
