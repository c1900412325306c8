"""Matching an event's fields against matchers and routes: pure functions over plain data."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from notifier.rules.model import Matcher, MatchValue, Route, Rules

CASE_INSENSITIVE_FIELDS = frozenset({"level", "source"})
_CODE = re.compile(r"\d+")
_CODE_RANGE = re.compile(r"(\d+)\s*-\s*(\d+)")


def compile_value(field: str, values: Iterable[str]) -> MatchValue:
    """The MatchValue for `field = values`; raises ValueError for a bad error_code or range."""
    written = tuple(values)
    fold_case = field in CASE_INSENSITIVE_FIELDS
    if field != "error_code":
        exact = {value.lower() if fold_case else value for value in written}
        return MatchValue(written, frozenset(exact), fold_case=fold_case)
    exact, ranges = set(), []
    for value in written:
        if _CODE.fullmatch(value.strip()):
            exact.add(value.strip())
        else:
            ranges.append(_code_range(value))
    return MatchValue(written, frozenset(exact), tuple(ranges))


def _code_range(value: str) -> tuple[int, int]:
    found = _CODE_RANGE.fullmatch(value.strip())
    if found is None:
        raise ValueError(f'"{value}" is neither an error code nor a range like "11200-11299"')
    low, high = int(found[1]), int(found[2])
    if low > high:
        raise ValueError(f'range "{value}" runs backwards: {low} is above {high}')
    return low, high


def value_matches(expected: MatchValue, actual: object) -> bool:
    """Whether one field value is among the expected values; a missing value never is."""
    if actual is None:
        return False
    text = str(actual).lower() if expected.fold_case else str(actual)
    if text in expected.exact:
        return True
    if expected.ranges and text.isdigit():
        code = int(text)
        return any(low <= code <= high for low, high in expected.ranges)
    return False


def matches(matcher: Matcher, fields: Mapping[str, object]) -> bool:
    """Whether the event matches every equal and regex key and none of the exclude keys."""
    for name, expected in matcher.equal.items():
        if not value_matches(expected, fields.get(name)):
            return False
    for name, pattern in matcher.regex.items():
        actual = fields.get(name)
        if actual is None or pattern.search(str(actual)) is None:
            return False
    return not any(
        value_matches(expected, fields.get(name)) for name, expected in matcher.exclude.items()
    )


def is_catch_all(matcher: Matcher) -> bool:
    return not (matcher.equal or matcher.regex or matcher.exclude)


def select_routes(rules: Rules, fields: Mapping[str, object]) -> list[Route]:
    """The routes an event takes, in order: the first match stops unless it has continue."""
    selected = []
    for route in rules.routes:
        if matches(route.matcher, fields):
            selected.append(route)
            if not route.continue_:
                break
    return selected
