"""Every action taken on alerts (from Slack, the web console or the CLI) goes through here,
and each records one audit row (who, what, when, from where) in the caller's transaction.

`conn` is a Connection inside `engine.begin()`; `now` is passed in.
"""

from notifier.actions.acknowledge import acknowledge, unacknowledge
from notifier.actions.actor import ActionError, Actor
from notifier.actions.audit import audit_entries
from notifier.actions.replay import replay
from notifier.actions.silences import expire_silence, silence, silence_group
from notifier.actions.status import GroupStatus, group_status
from notifier.store.audit import AuditAction, AuditEntry, Origin

__all__ = [
    "ActionError",
    "Actor",
    "AuditAction",
    "AuditEntry",
    "GroupStatus",
    "Origin",
    "acknowledge",
    "audit_entries",
    "expire_silence",
    "group_status",
    "replay",
    "silence",
    "silence_group",
    "unacknowledge",
]
