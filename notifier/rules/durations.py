"""Durations as users write them in rules.toml: "30s", "10m", "4h", "30d", "1h30m" or "off"."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_PATTERN = re.compile("".join(rf"(?:(?P<{unit}>\d+){unit})?" for unit, _ in _UNITS))
_HINT = "use e.g. 0s, 30s, 10m, 4h, 30d, 1h30m or off"


def parse_duration(text: str) -> timedelta | None:
    """The duration `text` names; None for "off". Raises ValueError for anything else."""
    cleaned = text.strip().lower()
    if cleaned == "off":
        return None
    found = _PATTERN.fullmatch(cleaned)
    if not cleaned or found is None:
        raise ValueError(f'"{text}" is not a duration ({_HINT})')
    seconds = sum(int(found[unit] or 0) * size for unit, size in _UNITS)
    return timedelta(seconds=seconds)


def format_duration(value: timedelta | None) -> str:
    """The shortest text that `parse_duration` reads back as `value`."""
    if value is None:
        return "off"
    remaining = int(value.total_seconds())
    parts = []
    for unit, size in _UNITS[1:]:  # weeks read less naturally than "14d"
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
