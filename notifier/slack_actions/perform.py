"""What a button or a `/twilio-alerts silence` does in the store: one call to the actions module
(which records who did it) in one transaction, and the line that tells the channel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from notifier import actions
from notifier.actions import ActionError, Actor
from notifier.render.context import RenderContext, duration_text, local_time
from notifier.render.escape import mrkdwn
from notifier.render.slack_buttons import (
    SILENCE_FOR,
    ButtonAction,
    ButtonState,
    key_hash,
    parse_ref,
)
from notifier.slack_actions.commands import ROUTE, Command
from notifier.store.group_list import group_keys


@dataclass(frozen=True)
class Pressed:
    """A click to carry out: the group reference and, for Unsilence, the silence its button
    carries."""

    action: ButtonAction
    group: str
    silence_id: int | None
    user_id: str


@dataclass(frozen=True)
class Done:
    state: ButtonState  # what the buttons offer now
    line: str  # mrkdwn: who did what, until when


def press(
    engine: Engine, actor: Actor, pressed: Pressed, now: datetime, ctx: RenderContext
) -> Done:
    """Carry out a click; ActionError (a message for the user) when it cannot be. The buttons
    then show the group as the store has it (another silence may still hold it)."""
    with engine.begin() as conn:
        key = _group_key(conn, pressed.group)
        line = _HANDLERS[pressed.action](conn, actor, key, pressed, now, ctx)
        status = actions.group_status(conn, key, now=now)
    if status is None:
        raise ActionError(f"no alert group {key!r}")
    holding = status.silences[0].id if status.silences else None
    return Done(ButtonState(pressed.group, holding, status.acknowledged is not None), line)


def _group_key(conn: Connection, ref: str) -> str:
    key, hashed = parse_ref(ref)
    if key is not None:
        return key
    found = next((k for k in group_keys(conn) if hashed and key_hash(k) == hashed), None)
    if found is None:
        raise ActionError("this alert group no longer exists")
    return found


# Each does its action and says, in mrkdwn, who did what and until when.
Handler = Callable[[Connection, Actor, str, Pressed, datetime, RenderContext], str]


def _silence(
    conn: Connection, actor: Actor, key: str, pressed: Pressed, now: datetime, ctx: RenderContext
) -> str:
    span = SILENCE_FOR[pressed.action]
    comment = f"from Slack by {actor.who}"
    actions.silence_group(conn, actor, key, duration=span, comment=comment, now=now)
    until = until_text(now + span, now, ctx)
    return f"Silenced for {duration_text(span)} by <@{pressed.user_id}>, until {until}"


def _unsilence(
    conn: Connection, actor: Actor, key: str, pressed: Pressed, now: datetime, ctx: RenderContext
) -> str:
    if pressed.silence_id is None:
        raise ActionError("this button names no silence")
    actions.expire_silence(conn, actor, pressed.silence_id, now=now)
    return f"Unsilenced by <@{pressed.user_id}>"


def _acknowledge(
    conn: Connection, actor: Actor, key: str, pressed: Pressed, now: datetime, ctx: RenderContext
) -> str:
    actions.acknowledge(conn, actor, key, now=now)
    return f"Acknowledged by <@{pressed.user_id}>: no repeat reminders until it resolves"


def _unacknowledge(
    conn: Connection, actor: Actor, key: str, pressed: Pressed, now: datetime, ctx: RenderContext
) -> str:
    actions.unacknowledge(conn, actor, key, now=now)
    return f"Unacknowledged by <@{pressed.user_id}>: repeat reminders resume"


_HANDLERS: dict[ButtonAction, Handler] = {
    ButtonAction.SILENCE_1H: _silence,
    ButtonAction.SILENCE_24H: _silence,
    ButtonAction.UNSILENCE: _unsilence,
    ButtonAction.ACKNOWLEDGE: _acknowledge,
    ButtonAction.UNACKNOWLEDGE: _unacknowledge,
}


def add_silence(
    engine: Engine, actor: Actor, command: Command, now: datetime, ctx: RenderContext
) -> str:
    """`/twilio-alerts silence …`: the silence added, in words."""
    matchers = dict(command.matchers)
    route = matchers.pop(ROUTE, None)
    comment = command.comment or f"from Slack by {actor.who}"
    ends_at = now + command.duration
    with engine.begin() as conn:
        silence_id = actions.silence(
            conn, actor, matchers, ends_at=ends_at, comment=comment, now=now, route=route
        )
    shown = mrkdwn(" ".join(f"{name}={value}" for name, value in command.matchers.items()))
    span = duration_text(command.duration)
    return f"Silence #{silence_id} on `{shown}` for {span}, until {until_text(ends_at, now, ctx)}"


def until_text(moment: datetime, now: datetime, ctx: RenderContext) -> str:
    """`04:12 UTC` today, `Dec 03 04:12 UTC` on another day (in the rules' timezone)."""
    same_day = moment.astimezone(ctx.timezone).date() == now.astimezone(ctx.timezone).date()
    return local_time(moment, ctx, "%H:%M %Z" if same_day else "%b %d %H:%M %Z")


__all__ = ["ActionError", "Done", "Pressed", "add_silence", "press", "until_text"]
