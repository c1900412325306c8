"""What `/twilio-alerts status` and `silences` answer, as Slack mrkdwn. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from notifier.actions import Actor
from notifier.pipeline.groups import GroupState, Phase
from notifier.render import facts as f
from notifier.render.context import RenderContext, local_time
from notifier.render.escape import mrkdwn, mrkdwn_truncated
from notifier.store.silences import Silence

# Lines a command answer lists before "…and N more": a message, not a report.
SHOWN = 20
_LINE = 300
_PHASES = {Phase.OPEN: "open", Phase.WAITING: "waiting to be announced", Phase.QUIET: "quiet"}


def status_text(states: Sequence[GroupState], ctx: RenderContext) -> str:
    """Open alert groups, newest first, each with its count and last event."""
    live = sorted(
        (s for s in states if s.phase is not Phase.QUIET), key=lambda s: s.last_seen, reverse=True
    )
    if not live:
        return "No open alert groups: all quiet."
    heading = f"*{len(live)} open alert group{'' if len(live) == 1 else 's'}*, newest first:"
    return "\n".join([heading, *(_group_line(s, ctx) for s in live[:SHOWN]), *_more(live)])


def _group_line(state: GroupState, ctx: RenderContext) -> str:
    last = local_time(state.last_seen, ctx, "%Y-%m-%d %H:%M %Z")
    title = mrkdwn_truncated(f.title(state.last_event), _LINE)
    events = f"{state.event_count} event{'' if state.event_count == 1 else 's'}"
    key = mrkdwn_truncated(state.key, _LINE)
    return f"• *{title}*: {events}, last {last} ({_PHASES[state.phase]}) `{key}`"


def silences_text(silences: Sequence[Silence], now: datetime, ctx: RenderContext) -> str:
    """Silences in force, the one ending first first."""
    active = sorted(
        (s for s in silences if s.starts_at <= now < s.ends_at), key=lambda s: s.ends_at
    )
    if not active:
        return "No silences in force."
    heading = f"*{len(active)} silence{'' if len(active) == 1 else 's'} in force:*"
    return "\n".join([heading, *(_silence_line(s, ctx) for s in active[:SHOWN]), *_more(active)])


def _silence_line(silence: Silence, ctx: RenderContext) -> str:
    until = local_time(silence.ends_at, ctx, "%Y-%m-%d %H:%M %Z")
    matchers = " ".join(f"{name}={value}" for name, value in silence.matchers.items())
    route = f" on route {mrkdwn(silence.route)}" if silence.route is not None else ""
    author = ""
    if silence.origin is not None and silence.created_by is not None:
        author = f" ({mrkdwn(Actor(silence.origin, silence.created_by).describe())})"
    comment = f": {mrkdwn_truncated(silence.comment, _LINE)}" if silence.comment else ""
    return f"• #{silence.id} until {until}{route}, `{mrkdwn(matchers)}`{author}{comment}"


def _more(items: Sequence[object]) -> list[str]:
    return [f"…and {len(items) - SHOWN} more"] if len(items) > SHOWN else []
