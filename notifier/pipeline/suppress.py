"""Why an event routed to a route is not alerted: dropped, silenced, inhibited or muted.

Pure functions over plain data; the caller loads silences and inhibit marks from the store
(`notifier.store.silences`, `notifier.store.inhibit_marks`).
Every check runs on the bot's own clock, never on Twilio's timestamp, which can be hours old
(late webhooks, Event Streams retries, a backlog after a restart): silences and mute windows
judge the moment the event is processed, as Alertmanager does, and inhibition the moments the
bot received the events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from notifier.rules.match import matches
from notifier.rules.model import Inhibit, Route, Rules
from notifier.rules.windows import in_window
from notifier.store.inhibit_marks import Marks
from notifier.store.silences import Silence


class Outcome(StrEnum):
    """What became of an event on a route; stored per event for digests and metrics."""

    ALERTED = "alerted"  # announced, or counted into an announced group
    UNMATCHED = "unmatched"
    DROPPED = "dropped"
    SILENCED = "silenced"
    INHIBITED = "inhibited"
    MUTED = "muted"
    BELOW_THRESHOLD = "below_threshold"


def covers(silence: Silence, route: str, fields: Mapping[str, object], now: datetime) -> bool:
    """Whether the silence is in force at `now`, holds this route (a silence made for a group
    holds its route only) and every one of its matchers equals a field."""
    if not silence.starts_at <= now < silence.ends_at:
        return False
    if silence.route is not None and silence.route != route:
        return False
    return all(_text(fields.get(name)) == value for name, value in silence.matchers.items())


def _text(value: object) -> str:
    # As a group key spells a value (`pipeline.groups.group_key`): a group's silence matches
    # the fields its label values came from, an absent one included.
    return "" if value is None else str(value)


def equal_key(rule: Inhibit, fields: Mapping[str, object]) -> str:
    return "|".join(f"{name}={fields.get(name)}" for name in rule.equal)


def marks_set_by(rules: Rules, fields: Mapping[str, object]) -> list[tuple[str, str]]:
    """The inhibit marks an event sets: one per rule whose `when` it matches."""
    return [
        (rule.key, equal_key(rule, fields)) for rule in rules.inhibits if matches(rule.when, fields)
    ]


def suppression(
    route: Route,
    rules: Rules,
    fields: Mapping[str, object],
    silences: Sequence[Silence],
    marks: Marks,
    *,
    now: datetime,
    received_at: datetime,
) -> Outcome | None:
    """The first reason that holds the event back on this route, or None to go on.

    `now` is when the event is processed, `received_at` when the bot received it; `marks`
    hold the times the bot received the events that set them."""
    if route.drop:
        return Outcome.DROPPED
    # Each check is skipped outright when nothing could trigger it: this runs per event.
    if silences and any(covers(silence, route.name, fields, now) for silence in silences):
        return Outcome.SILENCED
    if rules.inhibits and _inhibited(rules, fields, received_at, marks):
        return Outcome.INHIBITED
    if route.mute_during and muted_by(route, rules, now):
        return Outcome.MUTED
    return None


def muted_by(route: Route, rules: Rules, when: datetime) -> str | None:
    tz = ZoneInfo(rules.settings.timezone)
    for name in route.mute_during:
        window = rules.time_windows.get(name)
        if window is not None and in_window(window, when, tz):
            return name
    return None


def _inhibited(
    rules: Rules, fields: Mapping[str, object], received_at: datetime, marks: Marks
) -> bool:
    for rule in rules.inhibits:
        if not matches(rule.suppress, fields) or matches(rule.when, fields):
            continue
        seen = marks.get((rule.key, equal_key(rule, fields)))
        if seen is not None and timedelta(0) <= received_at - seen <= rule.for_:
            return True
    return False
