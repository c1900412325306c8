"""Delivering notices to Slack: one message per group cycle, edited and threaded as it goes on.

A FIRST or THRESHOLD notice posts a message and remembers its `ts` and channel ID; NEW_IN_GROUP
edits that message; REPEAT and RESOLVED reply in its thread and refresh it; REPLAY posts anew.
Edits and replies name the channel by the ID Slack answered with: it refuses names there.
Webhooks cannot edit or thread, so they always post.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine

from notifier.channels.pacing import Paced, Pacer
from notifier.channels.result import Failed, Outcome, Refusal, Sent
from notifier.channels.slack import (
    TIMEOUT_SECONDS,
    delivery_metadata,
    find_posted,
    make_client,
    post_message,
    post_webhook,
    session_with_timeout,
    update_message,
)
from notifier.notices import Reason
from notifier.render.context import RenderContext
from notifier.render.slack import plain_version, render_slack, render_storm_summary
from notifier.rules.model import Receiver
from notifier.store.engine import read_only, run_for_loop
from notifier.store.outbox import Delivery
from notifier.store.refs import MessageRef, get_channel_id, get_ref, save_channel_id, save_ref

log = logging.getLogger(__name__)

_STARTS = frozenset({Reason.FIRST, Reason.THRESHOLD})
_REPLIES = frozenset({Reason.REPEAT, Reason.RESOLVED})
# Slack's clock and ours may differ a little: look back this much further for a first try.
_CLOCK_SKEW = timedelta(minutes=1)

Payload = dict[str, Any]
Send = Callable[[Payload], Awaitable[Outcome]]


def api_lane(channel: str) -> str:
    """The pace key of a Web API channel: receivers posting to one channel share its pace."""
    return f"api:{channel}"


def webhook_lane(receiver: str) -> str:
    # A webhook's channel is hidden in its secret URL, so the receiver stands for it.
    return f"webhook:{receiver}"


async def with_plain_fallback(send: Send, payload: Payload) -> Outcome:
    """Sends `payload`; if Slack still refuses its blocks, sends it as plain text instead."""
    outcome = await send(payload)
    if isinstance(outcome, Failed) and outcome.refusal is Refusal.INVALID_BLOCKS:
        log.warning("Slack refused the blocks of a message (%s): sending it as text", outcome)
        return await send(plain_version(payload))
    return outcome


class SlackDelivery:
    """Shares one aiohttp session among all Slack sends; `aclose()` it when the worker stops.
    Every call to Slack ends within `timeout` seconds."""

    def __init__(
        self,
        engine: Engine,
        token: str | None,
        api_url: str,
        pacer: Pacer,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._engine = engine
        self._token = token
        self._api_url = api_url
        self._pacer = pacer
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._channel_ids: dict[str, str] = {}

    def session(self) -> aiohttp.ClientSession:
        # Created lazily: an aiohttp session belongs to the loop running when it is made.
        if self._session is None or self._session.closed:
            self._session = session_with_timeout(self._timeout)
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

    async def post(self, receiver: Receiver, payload: Payload) -> Paced:
        """One new message (a digest) to the receiver's webhook or channel; never edited."""
        url = receiver.config.get("webhook_url")
        if url:
            return await self._to_webhook(receiver.name, str(url), payload)
        return await self._to_channel(str(receiver.config["channel"]), payload)

    async def _to_channel(self, channel: str, payload: Payload) -> Paced:
        return await self._via_api(
            channel, lambda client: self._post(client, channel, payload, None)
        )

    async def _via_api(
        self, channel: str, send: Callable[[AsyncWebClient], Awaitable[Outcome]]
    ) -> Paced:
        """`send` through the Web API on the channel's turn (rendered only once it is granted)."""
        if not self._token:
            return Failed("SLACK_BOT_TOKEN is not set")
        client = make_client(self._token, self.session(), self._api_url)
        return await self._pacer.send(api_lane(channel), lambda: send(client))

    async def _to_webhook(self, receiver: str, url: str, payload: Payload) -> Paced:
        async def send(body: Payload) -> Outcome:
            return await post_webhook(self.session(), url, body, self._timeout)

        return await self._pacer.send(
            webhook_lane(receiver), lambda: with_plain_fallback(send, payload)
        )

    async def _api(
        self, client: AsyncWebClient, delivery: Delivery, channel: str, payload: Payload
    ) -> Outcome:
        reason = delivery.notice.reason
        if reason == Reason.REPLAY:
            return await self._post_once(client, delivery, channel, payload)
        ref = None if reason in _STARTS else await self._ref(delivery)
        if ref is None:
            return await self._post_new(client, delivery, channel, payload)
        if reason in _REPLIES:
            return await self._reply(client, delivery, ref, payload)
        outcome = await self._update(client, ref, payload)
        if isinstance(outcome, Failed) and outcome.refusal is Refusal.MESSAGE_NOT_FOUND:
            return await self._post_new(client, delivery, channel, payload)
        return outcome

    async def _reply(
        self, client: AsyncWebClient, delivery: Delivery, ref: MessageRef, payload: Payload
    ) -> Outcome:
        outcome = await self._post_once(client, delivery, ref.channel, payload, parent=ref)
        if isinstance(outcome, Sent):
            # The reply is out; a failed refresh of the parent must not send it twice.
            refreshed = await self._update(client, ref, payload)
            if not isinstance(refreshed, Sent):
                log.warning("delivery %d: parent not updated: %s", delivery.id, refreshed)
        return outcome

    async def _post_new(
        self, client: AsyncWebClient, delivery: Delivery, channel: str, payload: Payload
    ) -> Outcome:
        """A new message for the group's cycle, remembered so that later notices edit it."""
        outcome = await self._post_once(client, delivery, channel, payload)
        if isinstance(outcome, Sent) and outcome.ts and outcome.channel:
            await self._remember(delivery, MessageRef(outcome.ts, outcome.channel))
        return outcome

    async def _post_once(
        self,
        client: AsyncWebClient,
        delivery: Delivery,
        channel: str,
        payload: Payload,
        parent: MessageRef | None = None,
    ) -> Outcome:
        """Posts (into `parent`'s thread, if given), unless an earlier try of this delivery
        whose outcome is unknown got through."""
        found = await self._first_try(client, delivery, channel, parent)
        if found is not None:
            return found
        thread_ts = parent.ts if parent is not None else None
        return await self._post(client, channel, payload, delivery, thread_ts)

    async def _first_try(
        self,
        client: AsyncWebClient,
        delivery: Delivery,
        channel: str,
        parent: MessageRef | None,
    ) -> Outcome | None:
        """The message an earlier, unrecorded try posted (found by its metadata), a Retry when
        Slack cannot answer now, or None: nothing found, or no way to look (at-least-once)."""
        if delivery.in_doubt_since is None:
            return None
        channel_id = parent.channel if parent is not None else await self._channel_id(channel)
        if channel_id is None:
            log.warning(
                "delivery %d: channel ID of %s unknown: may post twice", delivery.id, channel
            )
            return None
        since = delivery.in_doubt_since - _CLOCK_SKEW
        thread_ts = parent.ts if parent is not None else None
        metadata = delivery_metadata(delivery.id)
        found = await find_posted(client, channel_id, since, metadata, thread_ts)
        if isinstance(found, Failed):  # missing_scope and the like: Slack will not tell
            log.warning("delivery %d: cannot read history (%s): may post twice", delivery.id, found)
            return None
        if isinstance(found, Sent):
            log.info("delivery %d: an earlier try was posted as %s", delivery.id, found.ts)
        return found

    async def _post(
        self,
        client: AsyncWebClient,
        channel: str,
        payload: Payload,
        delivery: Delivery | None,
        thread_ts: str | None = None,
    ) -> Outcome:
        metadata = delivery_metadata(delivery.id) if delivery is not None else None

        async def send(body: Payload) -> Outcome:
            return await post_message(client, channel, body, thread_ts, metadata)

        outcome = await with_plain_fallback(send, payload)
        if isinstance(outcome, Sent) and outcome.channel:
            await self._learn(channel, outcome.channel)
        return outcome

    async def _update(self, client: AsyncWebClient, ref: MessageRef, payload: Payload) -> Outcome:
        async def send(body: Payload) -> Outcome:
            return await update_message(client, ref.channel, ref.ts, body)

        return await with_plain_fallback(send, payload)

    async def _ref(self, delivery: Delivery) -> MessageRef | None:
        def read() -> MessageRef | None:
            with read_only(self._engine).connect() as conn:
                return get_ref(conn, delivery.receiver, delivery.notice.group_key, delivery.cycle)

        return await run_for_loop(self._engine, read)

    async def _remember(self, delivery: Delivery, ref: MessageRef) -> None:
        def write() -> None:
            with self._engine.begin() as conn:
                save_ref(conn, delivery.receiver, delivery.notice.group_key, delivery.cycle, ref)

        try:
            await run_for_loop(self._engine, write)
        except Exception:  # the message is out: a retry would post it twice
            log.exception("delivery %d: could not remember the Slack message", delivery.id)

    async def _channel_id(self, channel: str) -> str | None:
        if channel in self._channel_ids:
            return self._channel_ids[channel]

        def read() -> str | None:
            with read_only(self._engine).connect() as conn:
                return get_channel_id(conn, channel)

        return await run_for_loop(self._engine, read)

    async def _learn(self, channel: str, channel_id: str) -> None:
        """Keeps the ID Slack answered for a configured channel (stored once per process)."""
        if self._channel_ids.get(channel) == channel_id:
            return
        self._channel_ids[channel] = channel_id

        def write() -> None:
            with self._engine.begin() as conn:
                save_channel_id(conn, channel, channel_id)

        try:
            await run_for_loop(self._engine, write)
        except Exception:  # only a later duplicate check needs it
            log.exception("could not store the ID of Slack channel %s", channel)
