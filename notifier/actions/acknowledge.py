"""Acknowledge an alert group: no repeat reminders for its current cycle (counts still update)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from notifier.actions.actor import ActionError, Actor
from notifier.actions.audit import record
from notifier.pipeline.groups import GroupState, Phase
from notifier.pipeline.memory import lock_groups
from notifier.store.audit import AuditAction
from notifier.store.groups import Acknowledgement, set_acknowledgement


def acknowledge(conn: Connection, actor: Actor, group_key: str, *, now: datetime) -> None:
    """Stop repeat reminders until the group resolves or a new cycle starts."""
    state = _open_group(conn, group_key)
    if state.acknowledged:
        raise ActionError(f"alert group {group_key!r} is already acknowledged")
    set_acknowledgement(conn, group_key, Acknowledgement(actor.who, now, state.cycle))
    detail = f"cycle {state.cycle}, {state.event_count} event(s)"
    record(conn, actor, AuditAction.ACKNOWLEDGE, f"group {group_key}", detail, now)


def unacknowledge(conn: Connection, actor: Actor, group_key: str, *, now: datetime) -> None:
    """Withdraw the acknowledgement: repeat reminders resume."""
    state = _open_group(conn, group_key)
    if not state.acknowledged:
        raise ActionError(f"alert group {group_key!r} is not acknowledged")
    set_acknowledgement(conn, group_key, None)
    detail = f"cycle {state.cycle}"
    record(conn, actor, AuditAction.UNACKNOWLEDGE, f"group {group_key}", detail, now)


def _open_group(conn: Connection, group_key: str) -> GroupState:
    # Locked as the worker locks it: a batch counting into the group finishes first.
    state = lock_groups(conn, [group_key]).get(group_key)
    if state is None:
        raise ActionError(f"no alert group {group_key!r}")
    if state.phase == Phase.QUIET:
        raise ActionError(f"alert group {group_key!r} has gone quiet: nothing to acknowledge")
    return state
