"""Delivering notices to Slack: one message per group cycle, edited and threaded as it goes on.

A FIRST or THRESHOLD notice posts a message and remembers its `ts`; NEW_IN_GROUP edits that
message; REPEAT and RESOLVED reply in its thread and refresh it; REPLAY posts anew. Webhooks
cannot edit or thread, so they always post.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine

from notifier.channels.pacing import Paced, Pacer
from notifier.channels.result import Failed, Outcome, Sent
from notifier.channels.slack import make_client, post_message, post_webhook, update_message
from notifier.notices import Reason
from notifier.render.context import RenderContext
from notifier.render.slack import render_slack, render_storm_summary
from notifier.rules.model import Receiver
from notifier.store.engine import read_only, run_for_loop
from notifier.store.outbox import Delivery
from notifier.store.refs import get_ref, save_ref

log = logging.getLogger(__name__)

_STARTS = frozenset({Reason.FIRST, Reason.THRESHOLD})
_REPLIES = frozenset({Reason.REPEAT, Reason.RESOLVED})


def api_lane(channel: str) -> str:
    """The pace key of a Web API channel: receivers posting to one channel share its pace."""
    return f"api:{channel}"


def webhook_lane(receiver: str) -> str:
    # A webhook's channel is hidden in its secret URL, so the receiver stands for it.
    return f"webhook:{receiver}"


class SlackDelivery:
    """Shares one aiohttp session among all Slack sends; `aclose()` it when the worker stops."""

    def __init__(self, engine: Engine, token: str | None, api_url: str, pacer: Pacer) -> None:
        self._engine = engine
        self._token = token
        self._api_url = api_url
        self._pacer = pacer
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        # Created lazily: an aiohttp session belongs to the loop running when it is made.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def send_api(self, delivery: Delivery, channel: str, ctx: RenderContext) -> Paced:
        return await self._via_api(
            channel,
            lambda client: self._api(client, delivery, channel, render_slack(delivery.notice, ctx)),
        )

    async def send_webhook(self, delivery: Delivery, url: str, ctx: RenderContext) -> Paced:
        return await self._to_webhook(delivery.receiver, url, render_slack(delivery.notice, ctx))

    async def storm_api(self, deliveries: list[Delivery], channel: str) -> Paced:
        """One summary message standing in for all these deliveries to the channel."""
        notices = [delivery.notice for delivery in deliveries]
        return await self._to_channel(channel, render_storm_summary(channel, notices))

    async def storm_webhook(self, deliveries: list[Delivery], receiver: str, url: str) -> Paced:
        notices = [delivery.notice for delivery in deliveries]
        return await self._to_webhook(receiver, url, render_storm_summary(receiver, notices))

    async def post(self, receiver: Receiver, payload: dict[str, Any]) -> Paced:
        """One new message (a digest) to the receiver's webhook or channel; never edited."""
        url = receiver.config.get("webhook_url")
        if url:
            return await self._to_webhook(receiver.name, str(url), payload)
        return await self._to_channel(str(receiver.config["channel"]), payload)

    async def _to_channel(self, channel: str, payload: dict[str, Any]) -> Paced:
        return await self._via_api(channel, lambda client: post_message(client, channel, payload))

    async def _via_api(
        self, channel: str, send: Callable[[AsyncWebClient], Awaitable[Outcome]]
    ) -> Paced:
        """`send` through the Web API on the channel's turn (rendered only once it is granted)."""
        if not self._token:
            return Failed("SLACK_BOT_TOKEN is not set")
        client = make_client(self._token, self.session(), self._api_url)
        return await self._pacer.send(api_lane(channel), lambda: send(client))

    async def _to_webhook(self, receiver: str, url: str, payload: dict[str, Any]) -> Paced:
        return await self._pacer.send(
            webhook_lane(receiver), lambda: post_webhook(self.session(), url, payload)
        )

    async def _api(
        self, client: AsyncWebClient, delivery: Delivery, channel: str, payload: dict[str, Any]
    ) -> Outcome:
        reason = delivery.notice.reason
        if reason == Reason.REPLAY:
            return await post_message(client, channel, payload)
        ts = None if reason in _STARTS else await self._ref(delivery)
        if ts is None:
            return await self._post_new(client, delivery, channel, payload)
        if reason in _REPLIES:
            outcome = await post_message(client, channel, payload, thread_ts=ts)
            if isinstance(outcome, Sent):
                # The reply is out; a failed refresh of the parent must not send it twice.
                refreshed = await update_message(client, channel, ts, payload)
                if not isinstance(refreshed, Sent):
                    log.warning("delivery %d: parent not updated: %s", delivery.id, refreshed)
            return outcome
        outcome = await update_message(client, channel, ts, payload)
        if outcome == Failed("slack: message_not_found"):
            return await self._post_new(client, delivery, channel, payload)
        return outcome

    async def _post_new(
        self, client: AsyncWebClient, delivery: Delivery, channel: str, payload: dict[str, Any]
    ) -> Outcome:
        """A new message for the group's cycle, remembered so that later notices edit it."""
        outcome = await post_message(client, channel, payload)
        if isinstance(outcome, Sent) and outcome.ts:
            await self._remember(delivery, outcome.ts)
        return outcome

    async def _ref(self, delivery: Delivery) -> str | None:
        def read() -> str | None:
            with read_only(self._engine).connect() as conn:
                return get_ref(conn, delivery.receiver, delivery.notice.group_key, delivery.cycle)

        return await run_for_loop(self._engine, read)

    async def _remember(self, delivery: Delivery, ts: str) -> None:
        def write() -> None:
            with self._engine.begin() as conn:
                save_ref(conn, delivery.receiver, delivery.notice.group_key, delivery.cycle, ts)

        try:
            await run_for_loop(self._engine, write)
        except Exception:  # the message is out: a retry would post it twice
            log.exception("delivery %d: could not remember the Slack message", delivery.id)
