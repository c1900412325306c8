"""What has been done about an alert group: who acknowledged it, which silences hold it."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection

from notifier.pipeline.groups import GroupState
from notifier.pipeline.memory import load_group
from notifier.store.groups import Acknowledgement, acknowledgement
from notifier.store.silences import Silence, active_silences


class GroupStatus(NamedTuple):
    state: GroupState
    acknowledged: Acknowledgement | None  # for the group's current cycle only
    silences: list[Silence]  # in force and holding every event of the group


def group_status(conn: Connection, group_key: str, *, now: datetime) -> GroupStatus | None:
    """The group as a Slack message or the console shows it; None if there is no such group."""
    state = load_group(conn, group_key)
    if state is None:
        return None
    ack = acknowledgement(conn, group_key)
    current = ack if ack is not None and ack.cycle == state.cycle else None
    holding = [s for s in active_silences(conn, now) if _holds_group(s, state)]
    return GroupStatus(state, current, holding)


def _holds_group(silence: Silence, state: GroupState) -> bool:
    # Judged from the group's labels alone: a silence on another field may hold only some of
    # the group's events, and is not shown as holding the group.
    if silence.route is not None and silence.route != state.route:
        return False
    return all(state.labels.get(name) == value for name, value in silence.matchers.items())
