"""Printing notices to a stream (stdout by default)."""

from __future__ import annotations

import sys
from typing import TextIO

from notifier.channels.result import Sent
from notifier.render.escape import terminal


def print_notice(text: str, stream: TextIO | None = None) -> Sent:
    """Write one rendered block, escaped for the terminal, and flush, so it shows up at once in
    `docker logs` and friends."""
    out = stream if stream is not None else sys.stdout
    block = terminal(text, keep_newlines=True)
    out.write(block if block.endswith("\n") else block + "\n")
    out.flush()
    return Sent()
