"""The alert-group lifecycle as pure functions: first, new in group, repeat, threshold, quiet.

A group's whole state is a `GroupState`; the store keeps it (as `GroupState.to_json`) between
events, so a restart or a rules reload neither re-sends nor forgets a group. Every function
takes `now` and returns the next state and the notice to send, if any.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from notifier.events import Event, parse_time
from notifier.notices import Reason
from notifier.rules.model import Route, Threshold

MAX_KEY = 500


class Phase(StrEnum):
    WAITING = "waiting"  # seen, not yet announced (group_wait or below threshold)
    OPEN = "open"  # announced; updates and repeats follow
    QUIET = "quiet"  # no events for a while; the next one starts a new cycle


class Held(StrEnum):
    """Why an event counted into a waiting group announced nothing yet."""

    BELOW_THRESHOLD = "below_threshold"  # the route's threshold is not reached
    GROUP_WAIT = "group_wait"  # the group's group_wait has not passed


class GroupState(NamedTuple):
    """A NamedTuple, like `Event`: immutable, and cheap to copy with one field changed, which
    every event counted into a group does."""

    key: str
    route: str
    labels: dict[str, str]
    phase: Phase
    cycle: int  # one per first notice: a new Slack message / email thread each cycle
    event_count: int  # events in this cycle
    first_seen: datetime  # Twilio's times of the events: shown to people
    last_seen: datetime
    last_event: Event
    # When the bot opened the group and last counted an event into it: the group's timing
    # (group_wait, going quiet) runs on these, so events delivered late or with old
    # timestamps neither go quiet at once nor wait forever.
    opened_at: datetime
    touched_at: datetime
    notified_count: int = 0  # `count` when the last notice went out
    notified_at: datetime | None = None
    repeat_at: datetime | None = None  # the first notice or the last repeat
    repeat_count: int = 0
    flush_at: datetime | None = None  # when the pending update or first notice is due
    recent: tuple[datetime, ...] = ()  # newest event times, for the threshold window
    # The cycle someone acknowledged (kept in its own column by the store, not in the JSON):
    # that cycle gets no repeat reminders; a new cycle is not acknowledged.
    acknowledged_cycle: int | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_cycle == self.cycle

    def due_at(self, route: Route) -> datetime | None:
        """When `on_due` has something to do: a pending flush, or going quiet."""
        if self.phase == Phase.QUIET:
            return None
        quiet_at = self.touched_at + quiet_after(route)
        return min(self.flush_at, quiet_at) if self.flush_at else quiet_at

    def to_json(self) -> str:
        """The state as the store keeps it (`from_json` reads it back)."""
        data: dict[str, Any] = {
            "key": self.key,
            "route": self.route,
            "labels": self.labels,
            "phase": self.phase.value,
            "cycle": self.cycle,
            "count": self.event_count,
            "notified_count": self.notified_count,
            "repeat_count": self.repeat_count,
            "last_event": self.last_event.to_json(),
            "recent": [moment.isoformat() for moment in self.recent],
        }
        for name in _TIMES:
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> GroupState:
        data = json.loads(text)
        times = {name: parse_time(data[name]) if data[name] else None for name in _TIMES}
        return cls(
            key=data["key"],
            route=data["route"],
            labels=data["labels"],
            phase=Phase(data["phase"]),
            cycle=data["cycle"],
            event_count=data["count"],
            last_event=Event.from_json(data["last_event"]),
            notified_count=data["notified_count"],
            repeat_count=data["repeat_count"],
            recent=tuple(parse_time(moment) for moment in data["recent"]),
            **times,  # type: ignore[arg-type]
        )


_TIMES = (
    "first_seen",
    "last_seen",
    "opened_at",
    "touched_at",
    "notified_at",
    "repeat_at",
    "flush_at",
)


class Decision(NamedTuple):
    """The pipeline's answer for one event or one due group."""

    state: GroupState
    reason: Reason | None  # None: counted, nothing to send now
    held: Held | None = None  # why a counted event announced nothing yet


def group_key(route: Route, event: Event) -> tuple[str, dict[str, str]]:
    """The route's name plus its group_by values: independent of anything else in the event."""
    values = {name: getattr(event, name) for name in route.timing.group_by}
    labels = {name: "" if value is None else str(value) for name, value in values.items()}
    parts = [route.name, *(f"{name}={labels[name]}" for name in route.timing.group_by)]
    return bounded("|".join(parts)), labels


def bounded(key: str) -> str:
    """Keys fit the store's columns: a long one keeps its start and a hash of the whole."""
    if len(key) <= MAX_KEY:
        return key
    return key[: MAX_KEY - 17] + "#" + hashlib.sha256(key.encode()).hexdigest()[:16]


def quiet_after(route: Route) -> timedelta:
    """How long without events before a group is over: resolve_after, else the longest window."""
    if route.timing.resolve_after is not None:
        return route.timing.resolve_after
    within = route.threshold.within if route.threshold else timedelta(0)
    return max(route.timing.repeat_interval, within)


def on_event(state: GroupState | None, route: Route, event: Event, now: datetime) -> Decision:
    """Count one event into its group and decide whether it is announced now."""
    if state is None or state.phase == Phase.QUIET or _gone_quiet(state, route, now):
        return _open_cycle(state, route, event, now)
    state = _counted(state, event, route, now)
    if state.phase == Phase.WAITING:
        return _maybe_announce(state, route, now)
    if state.flush_at is None:
        state = state._replace(flush_at=_next_update(state, route, now))
    return _flush_if_due(state, route, now)


def on_due(state: GroupState, route: Route, now: datetime) -> Decision:
    """A due group: send the pending update, repeat, or say it went quiet."""
    if state.phase == Phase.QUIET:
        return Decision(state, None)
    if _gone_quiet(state, route, now):
        announced = state.phase == Phase.OPEN
        quiet = state._replace(phase=Phase.QUIET, flush_at=None)
        resolve = announced and route.timing.resolve_after is not None
        return Decision(quiet, Reason.RESOLVED if resolve else None)
    if state.phase == Phase.WAITING:
        return _maybe_announce(state, route, now)
    return _flush_if_due(state, route, now)


def _open_cycle(state: GroupState | None, route: Route, event: Event, now: datetime) -> Decision:
    key, labels = group_key(route, event)
    fresh = GroupState(
        key=key,
        route=route.name,
        labels=labels,
        phase=Phase.WAITING,
        cycle=(state.cycle + 1) if state else 1,
        event_count=1,
        first_seen=event.time,
        last_seen=event.time,
        opened_at=now,
        touched_at=now,
        last_event=event,
        recent=(event.time,),
    )
    return _maybe_announce(fresh, route, now)


def _counted(state: GroupState, event: Event, route: Route, now: datetime) -> GroupState:
    keep = route.threshold.count if route.threshold else 1
    recent = tuple(sorted((*state.recent, event.time)))[-keep:]
    return state._replace(
        event_count=state.event_count + 1,
        first_seen=min(state.first_seen, event.time),
        last_seen=max(state.last_seen, event.time),
        touched_at=max(state.touched_at, now),
        last_event=event,
        recent=recent,
    )


def _maybe_announce(state: GroupState, route: Route, now: datetime) -> Decision:
    """A waiting group is announced once past its threshold and its group_wait."""
    threshold = route.threshold
    if threshold is not None and not _threshold_reached(state, threshold):
        return Decision(state._replace(flush_at=None), None, Held.BELOW_THRESHOLD)
    announce_at = state.opened_at + route.timing.group_wait
    if now < announce_at:
        return Decision(state._replace(flush_at=announce_at), None, Held.GROUP_WAIT)
    reason = Reason.THRESHOLD if threshold is not None else Reason.FIRST
    return Decision(_notified(state, now, repeat=True), reason)


def _flush_if_due(state: GroupState, route: Route, now: datetime) -> Decision:
    if state.flush_at is None or now < state.flush_at or state.event_count == state.notified_count:
        return Decision(state, None)
    # An acknowledged group still has its message updated with the count, never a reminder.
    repeat_due = (
        not state.acknowledged
        and state.repeat_at is not None
        and now >= state.repeat_at + route.timing.repeat_interval
    )
    if repeat_due:
        return Decision(_notified(state, now, repeat=True), Reason.REPEAT)
    return Decision(_notified(state, now, repeat=False), Reason.NEW_IN_GROUP)


def _notified(state: GroupState, now: datetime, *, repeat: bool) -> GroupState:
    """Announced now: the group is open, and updates count from here."""
    return state._replace(
        phase=Phase.OPEN,
        notified_count=state.event_count,
        notified_at=now,
        flush_at=None,
        repeat_at=now if repeat else state.repeat_at,
        repeat_count=state.event_count if repeat else state.repeat_count,
    )


def _next_update(state: GroupState, route: Route, now: datetime) -> datetime:
    """At most one update per group_interval; a repeat when repeat_interval has passed."""
    next_update = (state.notified_at or now) + route.timing.group_interval
    if state.repeat_at is not None and not state.acknowledged:
        next_update = min(next_update, state.repeat_at + route.timing.repeat_interval)
    return max(next_update, now)


def _threshold_reached(state: GroupState, threshold: Threshold) -> bool:
    """`count` events within `within`, by the events' own times (a backlog counts the same)."""
    recent = state.recent
    return len(recent) >= threshold.count and recent[-1] - recent[0] <= threshold.within


def _gone_quiet(state: GroupState, route: Route, now: datetime) -> bool:
    return now >= state.touched_at + quiet_after(route)
