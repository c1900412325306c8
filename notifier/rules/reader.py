"""Typed, located reads from one parsed TOML table: every mistake becomes a located error."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import timedelta
from typing import Any

from notifier.rules.durations import parse_duration
from notifier.rules.locate import Place, Problems

_TYPE_NAMES = {str: "a string", bool: "true or false", int: "a whole number", dict: "a table"}


def type_name(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class Table:
    """One TOML table with its place in the file and a label for messages (`route "billing"`)."""

    def __init__(self, problems: Problems, place: Place, data: Mapping[str, Any], label: str):
        self.problems = problems
        self.place = place
        self.data = data
        self.label = label

    def error(self, key: str | int | None, message: str) -> None:
        self.problems.error(self._at(key), self._say(message))

    def warn(self, key: str | int | None, message: str) -> None:
        self.problems.warn(self._at(key), self._say(message))

    def line(self, key: str | None = None) -> int | None:
        return self.problems.line(self._at(key))

    def _at(self, key: str | int | None) -> Place:
        return self.place if key is None else (*self.place, key)

    def _say(self, message: str) -> str:
        return f"{self.label}: {message}" if self.label else message

    def check_keys(self, allowed: Collection[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.error(key, f'unknown key "{key}" (expected one of {", ".join(allowed)})')

    def get(self, key: str, kind: type, description: str) -> Any:
        """The value of `key` if it has type `kind`; None (and an error) if it has another."""
        value = self.data.get(key)
        if value is None or (isinstance(value, kind) and not _is_bool_as_int(value, kind)):
            return value
        self.error(key, f"{key} must be {description}, not {type_name(value)}")
        return None

    def child(self, key: str, label: str) -> Table | None:
        value = self.get(key, dict, "a table")
        return None if value is None else Table(self.problems, (*self.place, key), value, label)

    def string(self, key: str) -> str | None:
        value: str | None = self.get(key, str, "a string")
        return value

    def boolean(self, key: str) -> bool:
        return bool(self.get(key, bool, "true or false"))

    def strings(self, key: str) -> tuple[str, ...] | None:
        """A list of strings (a single string counts as a list of one)."""
        value = self.data.get(key)
        if isinstance(value, str):
            return (value,)
        items = self.get(key, list, "a list of strings")
        if items is None:
            return None
        if not all(isinstance(item, str) for item in items):
            self.error(key, f"{key} must be a list of strings")
            return None
        return tuple(items)

    def duration(self, key: str, default: timedelta) -> timedelta:
        value = self.duration_or_off(key, default)
        if value is None:
            self.error(key, f'{key} cannot be "off"')
            return default
        return value

    def duration_or_off(self, key: str, default: timedelta | None) -> timedelta | None:
        text = self.get(key, str, 'a duration like "10m"')
        if text is None:
            return default
        try:
            return parse_duration(text)
        except ValueError as error:
            self.error(key, f"{key}: {error}")
            return default

    def array(self, key: str, noun: str) -> list[Table]:
        """The tables of `[[key]]`, labelled by their name: `route "billing"` or `route #2`."""
        tables = []
        for index, item in enumerate(self.get(key, list, f"a list of [[{key}]] tables") or ()):
            name = item.get("name") if isinstance(item, dict) else None
            label = f'{noun} "{name}"' if isinstance(name, str) else f"{noun} #{index + 1}"
            if isinstance(item, dict):
                tables.append(Table(self.problems, (*self.place, key, index), item, label))
            else:
                self.error(key, f"{label} must be a table, not {type_name(item)}")
        return tables

    def required(self, *keys: str) -> bool:
        missing = [key for key in keys if key not in self.data]
        for key in missing:
            self.error(None, f'missing key "{key}"')
        return not missing


def _is_bool_as_int(value: object, kind: type) -> bool:
    # bool is a subclass of int in Python, never in TOML.
    return kind is int and isinstance(value, bool)
