"""Reading rules.toml into Rules, reporting every mistake at once with its file and line."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notifier.errors import UserError
from notifier.rules.cron import cron_trigger
from notifier.rules.locate import Locator, Place, Problems
from notifier.rules.model import (
    DIGEST_SCOPE_FIELDS,
    Digest,
    FallbackTwiml,
    GeneralSettings,
    Matcher,
    Rules,
    TimeWindow,
    Timing,
)
from notifier.rules.reader import Table
from notifier.rules.receivers import parse_receivers
from notifier.rules.routes import (
    MATCHER_KEYS,
    TIMING_KEYS,
    Known,
    check_names,
    check_unique_names,
    parse_inhibits,
    parse_matcher,
    parse_routes,
    parse_timing,
)
from notifier.rules.windows import parse_days_of_month, parse_times, parse_weekdays

TOP_LEVEL_KEYS = (
    "settings",
    "defaults",
    "receivers",
    "routes",
    "inhibit",
    "time_windows",
    "fallback",
    "digests",
)
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TOML_LINE = re.compile(r"at line (\d+)")
_T = TypeVar("_T")


class RulesError(UserError):
    """Everything wrong with a rules file, one located message per mistake."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def load_rules(path: Path, env: Mapping[str, str] = os.environ) -> Rules:
    """The rules in the file at `path`; raises RulesError listing every mistake."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RulesError([f"{path}: cannot read the rules: {error.strerror or error}"]) from None
    except UnicodeDecodeError as error:
        message = f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        raise RulesError([message]) from None
    return parse_rules(text, str(path), env)


def parse_rules(text: str, filename: str, env: Mapping[str, str] = os.environ) -> Rules:
    """The rules in `text` (read from `filename`); raises RulesError listing every mistake.

    `${VAR}` in any string value is replaced from `env`. Routes without their own receivers
    inherit [defaults] receivers; without those, receiver "local" when it is defined, else none.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        where = f"{filename}:{found[1]}" if found else filename
        raise RulesError([f"{where}: {error}"]) from None
    problems = Problems(filename, Locator(text))
    root = Table(problems, (), _interpolate(data, env, problems, ()), "")
    rules = _build(root)
    if problems.errors:
        raise RulesError(problems.errors)
    return replace(rules, warnings=problems.warnings)


def _interpolate(value: Any, env: Mapping[str, str], problems: Problems, place: Place) -> Any:
    if isinstance(value, dict):
        return {k: _interpolate(item, env, problems, (*place, k)) for k, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, env, problems, (*place, i)) for i, item in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(found: re.Match[str]) -> str:
        if found[1] not in env:
            where = ".".join(str(part) for part in place)
            problems.error(place, f"{where}: environment variable {found[1]} is not set")
            return found[0]  # left as written, so later checks can tell it was not filled in
        return env[found[1]]

    return _VARIABLE.sub(substitute, value)


def _build(root: Table) -> Rules:
    root.check_keys(TOP_LEVEL_KEYS)
    settings = _parse_settings(root)
    receivers = parse_receivers(root)
    windows = _parse_time_windows(root)
    known = Known(receivers=receivers, time_windows=windows)
    defaults = _parse_defaults(root, known)
    return Rules(
        settings=settings,
        defaults=defaults,
        receivers=receivers,
        routes=parse_routes(root, defaults, known),
        inhibits=parse_inhibits(root),
        time_windows=windows,
        fallback=_parse_fallback(root),
        digests=_parse_digests(root, defaults, known),
    )


def _parse_settings(root: Table) -> GeneralSettings:
    table = root.child("settings", "settings")
    if table is None:
        return GeneralSettings()
    table.check_keys(("timezone", "retention", "accounts"))
    timezone = table.string("timezone") or GeneralSettings.timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        table.error("timezone", f'unknown timezone "{timezone}" (use e.g. "Europe/Berlin")')
    return GeneralSettings(
        timezone=timezone,
        retention=table.duration_or_off("retention", GeneralSettings.retention),
        accounts=_parse_accounts(table),
    )


def _parse_accounts(settings: Table) -> dict[str, str]:
    table = settings.child("accounts", "settings.accounts")
    if table is None:
        return {}
    for sid, name in table.data.items():
        if not isinstance(name, str):
            table.error(sid, f'the name of "{sid}" must be a string')
    return {sid: name for sid, name in table.data.items() if isinstance(name, str)}


def _parse_time_windows(root: Table) -> dict[str, TimeWindow]:
    table = root.child("time_windows", "time_windows")
    if table is None:
        return {}
    windows = {}
    for name in table.data:
        window = table.child(name, f'time window "{name}"')
        if window is None:
            continue
        window.check_keys(("weekdays", "days_of_month", "times"))
        windows[name] = TimeWindow(
            name=name,
            weekdays=_parse_window_part(window, "weekdays", parse_weekdays),
            days_of_month=_parse_window_part(window, "days_of_month", parse_days_of_month),
            times=_parse_window_part(window, "times", parse_times),
        )
    return windows


def _parse_window_part(window: Table, key: str, parse: Callable[[list[Any]], _T]) -> _T:
    try:
        return parse(window.get(key, list, "a list") or [])
    except ValueError as error:
        window.error(key, f"{key}: {error}")
        return parse([])


def _parse_defaults(root: Table, known: Known) -> Timing:
    # The model's default receiver "local" only applies when the file defines it.
    base = Timing() if "local" in known.receivers else Timing(receivers=())
    table = root.child("defaults", "defaults")
    if table is None:
        return base
    table.check_keys(TIMING_KEYS)
    return parse_timing(table, base, known)


def _parse_fallback(root: Table) -> FallbackTwiml:
    table = root.child("fallback", "fallback")
    if table is None:
        return FallbackTwiml()
    table.check_keys(("voice_say", "messaging_reply"))
    return FallbackTwiml(
        voice_say=table.string("voice_say") or FallbackTwiml.voice_say,
        messaging_reply=table.string("messaging_reply") or "",
    )


def _parse_digests(root: Table, defaults: Timing, known: Known) -> tuple[Digest, ...]:
    digests: list[Digest] = []
    named: list[tuple[Table, str]] = []
    for table in root.array("digests", "digest"):
        table.check_keys(("name", "schedule", "receivers", "period", *MATCHER_KEYS))
        table.required("name", "schedule")
        name, schedule = table.string("name") or table.label, table.string("schedule") or ""
        named.append((table, name))
        _check_schedule(table, schedule)
        receivers = table.strings("receivers")
        check_names(table, "receivers", receivers or (), known.receivers)
        matcher = parse_matcher(table)
        _check_digest_scope(table, matcher)
        digests.append(
            Digest(
                name=name,
                schedule=schedule,
                receivers=defaults.receivers if receivers is None else receivers,
                matcher=matcher,
                period=table.duration_or_off("period", None),
            )
        )
    check_unique_names(named)
    return tuple(digests)


def _check_digest_scope(table: Table, matcher: Matcher) -> None:
    """Digests count in SQL, so their scope may only use the fields stored as columns."""
    if matcher.regex:
        table.error("match_re", "digests cannot use match_re; use match or exclude")
    allowed = ", ".join(DIGEST_SCOPE_FIELDS)
    for key, fields in (("match", matcher.equal), ("exclude", matcher.exclude)):
        for name in fields:
            if name not in DIGEST_SCOPE_FIELDS:
                table.error(key, f'digests can be scoped by {allowed}, not "{name}"')


def _check_schedule(table: Table, schedule: str) -> None:
    if not schedule:
        return
    try:
        cron_trigger(schedule, ZoneInfo("UTC"))
    except ValueError as error:
        table.error("schedule", f"schedule: {error}")
