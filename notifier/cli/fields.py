"""FIELD=VALUE arguments, checked against the event's field names."""

from __future__ import annotations

from collections.abc import Sequence

from notifier.errors import UserError
from notifier.events import FIELD_NAMES


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UserError(f"{item!r} is not FIELD=VALUE (for example error_code=11200)")
        if name not in FIELD_NAMES:
            raise UserError(f"{name!r} is not an event field; fields are: {', '.join(FIELD_NAMES)}")
        pairs[name] = value
    return pairs
