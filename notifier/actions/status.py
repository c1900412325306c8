"""What has been done about an alert group: who acknowledged it, which silences hold it."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection

from notifier.pipeline.groups import GroupState
from notifier.pipeline.memory import load_group
from notifier.pipeline.suppress import covers
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
    # The state knows whether its current cycle is acknowledged; who did it is read only then.
    current = acknowledgement(conn, group_key) if state.acknowledged else None
    # Judged from the group's labels alone: a silence on another field may hold only some of
    # the group's events, and is not shown as holding the group.
    holding = [s for s in active_silences(conn, now) if covers(s, state.route, state.labels, now)]
    return GroupStatus(state, current, holding)
