"""The routing part of rules.toml: [defaults], matchers, [[routes]] and [[inhibit]]."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import timedelta

from notifier.events import FIELD_NAMES, LEVELS, Source
from notifier.rules.durations import format_duration
from notifier.rules.match import compile_value, is_catch_all
from notifier.rules.model import Inhibit, Matcher, MatchValue, Route, Threshold, Timing
from notifier.rules.reader import Table, type_name

TIMING_KEYS = (
    "receivers",
    "group_by",
    "group_wait",
    "group_interval",
    "repeat_interval",
    "resolve_after",
)
MATCHER_KEYS = ("match", "match_re", "exclude")
ROUTE_KEYS = ("name", *MATCHER_KEYS, "drop", "continue", "threshold", "mute_during", *TIMING_KEYS)
_ALLOWED_VALUES = {"level": LEVELS, "source": tuple(Source)}
_NOUNS = {"mute_during": "time window", "group_by": "field", "equal": "field"}


@dataclass(frozen=True)
class Known:
    """Names defined elsewhere in the file that routes and digests refer to."""

    receivers: Collection[str]
    time_windows: Collection[str]


def check_names(table: Table, key: str, names: tuple[str, ...], known: Collection[str]) -> None:
    noun = _NOUNS.get(key, "receiver")
    for name in names:
        if name not in known:
            table.error(key, f'unknown {noun} "{name}"')


def parse_timing(table: Table, inherited: Timing, known: Known) -> Timing:
    """The timing keys `table` sets, the others inherited (by a route, from [defaults])."""
    receivers = table.strings("receivers")
    check_names(table, "receivers", receivers or (), known.receivers)
    group_by = table.strings("group_by")
    check_names(table, "group_by", group_by or (), FIELD_NAMES)
    timing = Timing(
        receivers=inherited.receivers if receivers is None else receivers,
        group_by=inherited.group_by if group_by is None else group_by,
        group_wait=table.duration("group_wait", inherited.group_wait),
        group_interval=table.duration("group_interval", inherited.group_interval),
        repeat_interval=table.duration("repeat_interval", inherited.repeat_interval),
        resolve_after=table.duration_or_off("resolve_after", inherited.resolve_after),
    )
    sets_interval = "repeat_interval" in table.data or "group_interval" in table.data
    if sets_interval and timing.repeat_interval < timing.group_interval:
        table.warn(
            "repeat_interval",
            f"repeat_interval {format_duration(timing.repeat_interval)} is shorter than "
            f"group_interval {format_duration(timing.group_interval)}: repeats come at most "
            "once per group_interval",
        )
    return timing


def parse_matcher(table: Table) -> Matcher:
    """The `match`, `match_re` and `exclude` keys of a route or digest."""
    return Matcher(
        equal=parse_values(table, "match"),
        regex=_parse_regexes(table),
        exclude=parse_values(table, "exclude"),
    )


def parse_values(table: Table, key: str) -> dict[str, MatchValue]:
    """A `{ field = value or [values] }` table: values compiled, fields checked."""
    fields = table.child(key, table.label)
    if fields is None:
        return {}
    compiled = {}
    for field, raw in fields.data.items():
        values = _as_strings(raw)
        if field not in FIELD_NAMES:
            fields.error(field, f'{key}: unknown field "{field}"')
        elif values is None:
            fields.error(field, f"{key}.{field} must be a string or a list of strings")
        elif _check_allowed(fields, f"{key}.{field}", field, values):
            try:
                compiled[field] = compile_value(field, values)
            except ValueError as error:
                fields.error(field, f"{key}.{field}: {error}")
    return compiled


def _as_strings(raw: object) -> tuple[str, ...] | None:
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(item, str | bool | int) for item in items):
        return None
    return tuple(str(item).lower() if isinstance(item, bool) else str(item) for item in items)


def _check_allowed(table: Table, where: str, field: str, values: tuple[str, ...]) -> bool:
    allowed = _ALLOWED_VALUES.get(field)
    unknown = [value for value in values if allowed and value.lower() not in allowed]
    for value in unknown:
        choices = ", ".join(allowed or ())
        table.error(field, f'{where}: unknown {field} "{value}" (one of {choices})')
    return not unknown


def _parse_regexes(table: Table) -> dict[str, re.Pattern[str]]:
    fields = table.child("match_re", table.label)
    if fields is None:
        return {}
    compiled = {}
    for field, raw in fields.data.items():
        if field not in FIELD_NAMES:
            fields.error(field, f'match_re: unknown field "{field}"')
        elif not isinstance(raw, str):
            fields.error(field, f"match_re.{field} must be a string, not {type_name(raw)}")
        else:
            try:
                compiled[field] = re.compile(raw)
            except re.error as error:
                fields.error(field, f'match_re.{field}: bad regex "{raw}": {error}')
    return compiled


def check_unique_names(named: Iterable[tuple[Table, str]]) -> None:
    """Each name once: a repeat is an error that points at the name's first use."""
    first_lines: dict[str, int | None] = {}
    for table, name in named:
        if name in first_lines:
            table.error("name", f"duplicate name, first used on line {first_lines[name]}")
        first_lines.setdefault(name, table.line("name"))


def parse_routes(root: Table, defaults: Timing, known: Known) -> tuple[Route, ...]:
    """The [[routes]] in order; duplicate names are errors, unreachable routes warnings."""
    tables = root.array("routes", "route")
    parsed = [(table, _parse_route(table, defaults, known)) for table in tables]
    check_unique_names((table, route.name) for table, route in parsed)
    for table, route in parsed:
        if not route.drop and not route.timing.receivers:
            table.warn(None, "no receivers: its alerts are recorded but sent nowhere")
    _warn_unreachable(parsed)
    return tuple(route for _, route in parsed)


def _parse_route(table: Table, defaults: Timing, known: Known) -> Route:
    table.check_keys(ROUTE_KEYS)
    table.required("name")
    mute_during = table.strings("mute_during") or ()
    check_names(table, "mute_during", mute_during, known.time_windows)
    return Route(
        name=table.string("name") or table.label,
        matcher=parse_matcher(table),
        timing=parse_timing(table, defaults, known),
        drop=table.boolean("drop"),
        continue_=table.boolean("continue"),
        threshold=_parse_threshold(table),
        mute_during=mute_during,
    )


def _parse_threshold(route: Table) -> Threshold | None:
    table = route.child("threshold", route.label)
    if table is None:
        return None
    table.check_keys(("count", "within"))
    if not table.required("count", "within"):
        return None
    count = table.get("count", int, "a whole number")
    if count is not None and count < 1:
        table.error("count", f"threshold count must be at least 1, not {count}")
    return Threshold(count=count or 1, within=table.duration("within", timedelta(0)))


def _warn_unreachable(parsed: list[tuple[Table, Route]]) -> None:
    catch_all: tuple[Table, Route] | None = None
    for table, route in parsed:
        if catch_all is not None:
            above, above_route = catch_all
            table.warn(
                None,
                f'can never match: route "{above_route.name}" above it (line {above.line()}) '
                "matches every event and has no continue",
            )
        elif is_catch_all(route.matcher) and not route.continue_:
            catch_all = (table, route)


def parse_inhibits(root: Table) -> tuple[Inhibit, ...]:
    """The [[inhibit]] rules: while a `when` event fired within `for`, `suppress` is held back."""
    inhibits = []
    for table in root.array("inhibit", "inhibit"):
        table.check_keys(("when", "suppress", "equal", "for"))
        table.required("when", "suppress", "for")
        equal = table.strings("equal") or ()
        check_names(table, "equal", equal, FIELD_NAMES)
        inhibits.append(
            Inhibit(
                when=Matcher(equal=parse_values(table, "when")),
                suppress=Matcher(equal=parse_values(table, "suppress")),
                equal=equal,
                for_=table.duration("for", timedelta(0)),
            )
        )
    return tuple(inhibits)
