"""The work after Slack has its answer: check who may act, act through the actions module,
and tell the user (or the channel) through the request's `response_url`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from notifier.actions import ActionError, Actor, Origin
from notifier.delivery.directory import render_context
from notifier.metrics import Metrics
from notifier.pipeline.groups import GroupState
from notifier.render.context import RenderContext
from notifier.render.slack_buttons import acted_message
from notifier.rules.model import Rules
from notifier.slack_actions.access import AllowList
from notifier.slack_actions.answers import silences_text, status_text
from notifier.slack_actions.commands import HELP_TEXT, Command, CommandError, Verb, parse_command
from notifier.slack_actions.payloads import Click, SlashCommand, Who
from notifier.slack_actions.perform import Pressed, add_silence, press
from notifier.slack_actions.slack_calls import respond
from notifier.store.browse import open_groups
from notifier.store.engine import read_only
from notifier.store.silences import Silence, active_silences

log = logging.getLogger(__name__)

NOT_ALLOWED = (
    "you are not allowed to act on Twilio alerts from Slack "
    "(ask an admin to add you to SLACK_ALLOWED_USERS or SLACK_ALLOWED_GROUPS)"
)
FAILED = "the bot could not do it (its log says why); try again or use the CLI"
# Groups read for `status`, the newest of them shown (beyond this many live groups, in no
# particular order: a storm that size is better read in the digest or `notifier events`).
STATUS_SCAN = 2000


def ephemeral(text: str) -> dict[str, Any]:
    """An answer for the user alone; the message the button was on stays as it was."""
    return {"response_type": "ephemeral", "replace_original": False, "text": text}


class Responder:
    def __init__(
        self, engine: Engine, rules: Callable[[], Rules], allow: AllowList, metrics: Metrics
    ) -> None:
        self._engine = engine
        self._rules = rules
        self._allow = allow
        self._metrics = metrics

    def _ctx(self) -> RenderContext:
        return render_context(self._rules())

    async def click(self, click: Click) -> None:
        """Act on a click after Slack has had its answer, then tell the user how it went."""
        try:
            answer = await self._act(click)
        except Exception:  # the user still hears back; the details go to the log
            log.exception("acting on a Slack click failed")
            answer = ephemeral(f"Nothing done: {FAILED}")
        await respond(click.response_url, answer)

    async def _act(self, click: Click) -> dict[str, Any]:
        assert click.action is not None
        label = click.action.name.lower()
        if not await self._allow.allows(click.who.user_id):
            self._metrics.slack_actions.labels(label, "refused").inc()
            return ephemeral(f"Nothing done: {NOT_ALLOWED}")
        pressed = Pressed(click.action, click.group, click.silence_id, click.who.user_id)
        try:
            done = await asyncio.to_thread(
                press, self._engine, _actor(click.who), pressed, datetime.now(UTC), self._ctx()
            )
        except ActionError as error:
            self._metrics.slack_actions.labels(label, "failed").inc()
            return ephemeral(f"Nothing done: {error}")
        self._metrics.slack_actions.labels(label, "done").inc()
        return {"replace_original": True, **acted_message(click.message, done.state, done.line)}

    def immediate(self, command: SlashCommand) -> dict[str, Any] | None:
        """The answer that needs no store (help, or why the command cannot be read), else None."""
        try:
            parsed = parse_command(command.text)
        except CommandError as error:
            return ephemeral(f"{error}")
        if parsed.verb is Verb.HELP:
            return _answer(parsed, HELP_TEXT)
        return None

    async def command(self, command: SlashCommand) -> None:
        parsed = parse_command(command.text)
        try:
            text = await self._run(parsed, command.who)
        except ActionError as error:
            text = f"Nothing done: {error}"
            parsed = Command(parsed.verb)  # an error is for the one who typed it
        except Exception:
            log.exception("running /twilio-alerts %s failed", parsed.verb)
            text, parsed = f"Nothing done: {FAILED}", Command(parsed.verb)
        await respond(command.response_url, _answer(parsed, text))

    async def _run(self, command: Command, who: Who) -> str:
        now, ctx = datetime.now(UTC), self._ctx()
        if command.verb is Verb.SILENCE:
            if not await self._allow.allows(who.user_id):
                self._metrics.slack_actions.labels("silence", "refused").inc()
                raise ActionError(NOT_ALLOWED)
            text = await asyncio.to_thread(
                add_silence, self._engine, _actor(who), command, now, ctx
            )
            self._metrics.slack_actions.labels("silence", "done").inc()
            return text
        if command.verb is Verb.STATUS:
            return status_text(await asyncio.to_thread(self._live_groups), ctx)
        return silences_text(await asyncio.to_thread(self._silences, now), now, ctx)

    def _live_groups(self) -> list[GroupState]:
        with read_only(self._engine).connect() as conn:
            return [GroupState.from_json(g.state) for g in open_groups(conn, STATUS_SCAN)]

    def _silences(self, now: datetime) -> list[Silence]:
        with read_only(self._engine).connect() as conn:
            return active_silences(conn, now)


def _answer(command: Command, text: str) -> dict[str, Any]:
    kind = "in_channel" if command.public else "ephemeral"
    return {"response_type": kind, "replace_original": False, "text": text}


def _actor(who: Who) -> Actor:
    return Actor(Origin.SLACK, who.actor_name)
