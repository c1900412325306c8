"""Line numbers for places in a TOML text, which tomllib does not give, and located messages.

A place is a key path such as ("routes", 2, "match", "level") or ("receivers", "ops", "slack").
The locator scans table headers, `key =` lines and the keys of one-line inline tables; a place it
did not see falls back to its nearest enclosing place, in the end the table header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Place = tuple[str | int, ...]

_ARRAY_HEADER = re.compile(r"\s*\[\[\s*(?P<path>[^\]]+?)\s*\]\]\s*(?:#.*)?$")
_TABLE_HEADER = re.compile(r"\s*\[\s*(?P<path>[^\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = r'(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
_KEY_LINE = re.compile(rf"\s*(?P<path>{_KEY}(?:\s*\.\s*{_KEY})*)\s*=(?P<rest>.*)")
_INLINE_KEY = re.compile(rf"[{{,]\s*(?P<key>{_KEY})\s*=")


def _split_keys(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(rf"{_KEY}", dotted))


class Locator:
    """Maps places in one TOML text to the lines that define them."""

    def __init__(self, text: str) -> None:
        self._lines: dict[Place, int] = {}
        self._array_sizes: dict[tuple[str, ...], int] = {}
        table: Place = ()
        for number, line in enumerate(text.splitlines(), start=1):
            table = self._scan(line, number, table)

    def _scan(self, line: str, number: int, table: Place) -> Place:
        if header := _ARRAY_HEADER.match(line):
            keys = _split_keys(header["path"])
            index = self._array_sizes.get(keys, 0)
            self._array_sizes[keys] = index + 1
            return self._remember((*keys, index), number)
        if header := _TABLE_HEADER.match(line):
            return self._remember(self._resolve(_split_keys(header["path"])), number)
        if key_line := _KEY_LINE.match(line):
            place = self._remember((*table, *_split_keys(key_line["path"])), number)
            for inline in _INLINE_KEY.finditer(key_line["rest"]):
                self._remember((*place, *_split_keys(inline["key"])), number)
        return table

    def _resolve(self, keys: tuple[str, ...]) -> Place:
        # [routes.threshold] after [[routes]] means the latest route's threshold table.
        place: Place = ()
        for end, key in enumerate(keys, start=1):
            place = (*place, key)
            if size := self._array_sizes.get(keys[:end]):
                place = (*place, size - 1)
        return place

    def _remember(self, place: Place, number: int) -> Place:
        self._lines.setdefault(place, number)
        return place

    def line(self, place: Sequence[str | int]) -> int | None:
        """The line defining `place` or else its nearest enclosing place; None if none is known."""
        for end in range(len(place), 0, -1):
            if (number := self._lines.get(tuple(place[:end]))) is not None:
                return number
        return None


class Problems:
    """Collects located errors and warnings about one rules file."""

    def __init__(self, filename: str, locator: Locator) -> None:
        self.filename = filename
        self._locator = locator
        self._errors: list[tuple[int, str]] = []
        self._warnings: list[tuple[int, str]] = []

    def error(self, place: Sequence[str | int], message: str) -> None:
        self._errors.append(self._locate(place, message))

    def warn(self, place: Sequence[str | int], message: str) -> None:
        self._warnings.append(self._locate(place, message))

    def line(self, place: Sequence[str | int]) -> int | None:
        return self._locator.line(place)

    def _locate(self, place: Sequence[str | int], message: str) -> tuple[int, str]:
        number = self._locator.line(place)
        where = self.filename if number is None else f"{self.filename}:{number}"
        return number or 0, f"{where}: {message}"

    @property
    def errors(self) -> list[str]:
        return [text for _, text in sorted(self._errors, key=lambda item: item[0])]

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(text for _, text in sorted(self._warnings, key=lambda item: item[0]))
