"""A Slack channel through the Web API: one message per group cycle, edited and threaded.

A FIRST or THRESHOLD notice posts a message and remembers its `ts` and channel ID; NEW_IN_GROUP
edits that message; REPEAT and RESOLVED reply in its thread and refresh it; REPLAY and digests
post anew. Edits and replies name the channel by the ID Slack answered with: it refuses names.
A post whose earlier try is in doubt is first looked for by its metadata (sent once).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from notifier.delivery.channel import Checked
from notifier.delivery.log_ids import log_ids
from notifier.delivery.message_refs import owner
from notifier.delivery.outcome import Failed, Paced, Refusal, SendResult, Sent
from notifier.delivery.slack_payload import (
    TEST_TEXT,
    BlockKitMessages,
    Payload,
    with_plain_fallback,
)
from notifier.delivery.slack_web_api import (
    bot_name,
    delivery_metadata,
    find_posted,
    make_client,
    post_message,
    update_message,
)
from notifier.delivery.transports import Transports
from notifier.notices import Notice, Reason
from notifier.render.block_kit import THREAD_REPLIES, render_storm_summary, thread_reply
from notifier.rules.model import SlackApiConfig
from notifier.store.outbox import Delivery
from notifier.store.refs import MessageRef

log = logging.getLogger(__name__)

_STARTS = frozenset({Reason.FIRST, Reason.THRESHOLD})
# Slack's clock and ours may differ a little: look back this much further for a first try.
_CLOCK_SKEW = timedelta(minutes=1)


def api_lane(channel: str) -> str:
    """Receivers posting to one channel through the Web API share its pace."""
    return f"api:{channel}"


class SlackApiChannel(BlockKitMessages):
    def __init__(self, config: SlackApiConfig, receiver: str, transports: Transports) -> None:
        self.key = config.key
        self.lane = api_lane(config.channel)
        self.channel = config.channel
        self.receiver = receiver
        self._t = transports

    async def send(self, delivery: Delivery, message: Payload) -> Paced:
        return await self._paced(partial(self._deliver, delivery, message))

    async def fold(self, deliveries: list[Delivery]) -> Paced:
        notices = [d.content for d in deliveries if isinstance(d.content, Notice)]
        summary = render_storm_summary(self.channel, notices)
        return await self._paced(partial(self._post, summary, None))

    async def check(self) -> Checked:
        token = self._t.settings.slack_bot_token
        if not token:
            return Checked(_no_token(), self.channel)
        client = self._client(token)
        who = await bot_name(client)
        if not isinstance(who, str):
            return Checked(who, self.channel, "yourbot")
        outcome = await post_message(client, self.channel, {"text": TEST_TEXT})
        return Checked(outcome, self.channel, who)

    async def _paced(self, send: Any) -> Paced:
        token = self._t.settings.slack_bot_token
        if not token:
            return _no_token()
        client = self._client(token)
        return await self._t.pacer.send(self.lane, partial(send, client))

    def _client(self, token: str) -> AsyncWebClient:
        return make_client(token, self._t.http.get(), self._t.settings.slack_api_url)

    async def _deliver(
        self, delivery: Delivery, payload: Payload, client: AsyncWebClient
    ) -> SendResult:
        content = delivery.content
        if not isinstance(content, Notice) or content.reason == Reason.REPLAY:
            return await self._post_once(client, delivery, self.channel, payload)
        ref = None if content.reason in _STARTS else await self._ref(delivery, content)
        if ref is None:
            return await self._post_new(client, delivery, content, payload)
        if content.reason in THREAD_REPLIES:
            return await self._reply(client, delivery, ref, payload)
        outcome = await self._update(client, ref, payload)
        if isinstance(outcome, Failed) and outcome.refusal is Refusal.MESSAGE_NOT_FOUND:
            return await self._post_new(client, delivery, content, payload)
        return outcome

    async def _reply(
        self, client: AsyncWebClient, delivery: Delivery, ref: MessageRef, payload: Payload
    ) -> SendResult:
        # The thread gets the two-line reply; the group's message is refreshed with the whole.
        reply = thread_reply(payload)
        outcome = await self._post_once(client, delivery, ref.channel, reply, parent=ref)
        if isinstance(outcome, Sent):
            # The reply is out; a failed refresh of the parent must not send it twice.
            refreshed = await self._update(client, ref, payload)
            if not isinstance(refreshed, Sent):
                ids = log_ids([delivery])
                log.warning(
                    "delivery %d: parent not updated: %s", delivery.id, refreshed, extra=ids
                )
        return outcome

    async def _post_new(
        self, client: AsyncWebClient, delivery: Delivery, notice: Notice, payload: Payload
    ) -> SendResult:
        """A new message for the group's cycle, remembered so that later notices edit it."""
        outcome = await self._post_once(client, delivery, self.channel, payload)
        if isinstance(outcome, Sent) and outcome.ts and outcome.channel:
            name = owner(delivery.receiver, delivery.channel)[0]
            ref = MessageRef(outcome.ts, outcome.channel)
            await self._t.refs.save(name, notice.group_key, delivery.cycle, ref)
        return outcome

    async def _post_once(
        self,
        client: AsyncWebClient,
        delivery: Delivery,
        channel: str,
        payload: Payload,
        parent: MessageRef | None = None,
    ) -> SendResult:
        """Posts (into `parent`'s thread, if given), unless an earlier try of this delivery
        whose outcome is unknown got through."""
        found = await self._first_try(client, delivery, channel, parent)
        if found is not None:
            return found
        thread_ts = parent.ts if parent is not None else None
        metadata = delivery_metadata(delivery.id)
        return await self._post(payload, thread_ts, client, channel, metadata)

    async def _first_try(
        self, client: AsyncWebClient, delivery: Delivery, channel: str, parent: MessageRef | None
    ) -> SendResult | None:
        """The message an earlier, unrecorded try posted (found by its metadata), a Retry when
        Slack cannot answer now, or None: nothing found, or no way to look (at-least-once)."""
        if delivery.in_doubt_since is None:
            return None
        refs = self._t.refs
        channel_id = parent.channel if parent is not None else await refs.channel_id(channel)
        if channel_id is None:
            log.warning(
                "delivery %d: channel ID of %s unknown: may post twice",
                delivery.id,
                channel,
                extra=log_ids([delivery]),
            )
            return None
        since = delivery.in_doubt_since - _CLOCK_SKEW
        thread_ts = parent.ts if parent is not None else None
        metadata = delivery_metadata(delivery.id)
        found = await find_posted(client, channel_id, since, metadata, thread_ts)
        if isinstance(found, Failed):  # missing_scope and the like: Slack will not tell
            log.warning(
                "delivery %d: cannot read history (%s): may post twice",
                delivery.id,
                found,
                extra=log_ids([delivery]),
            )
            return None
        if isinstance(found, Sent):
            log.info(
                "delivery %d: an earlier try was posted as %s",
                delivery.id,
                found.ts,
                extra=log_ids([delivery]),
            )
        return found

    async def _post(
        self,
        payload: Payload,
        thread_ts: str | None,
        client: AsyncWebClient,
        channel: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> SendResult:
        to = channel or self.channel
        send = partial(_post_body, client, to, thread_ts, metadata)
        outcome = await with_plain_fallback(send, payload)
        if isinstance(outcome, Sent) and outcome.channel:
            await self._t.refs.learn(to, outcome.channel)
        return outcome

    async def _update(
        self, client: AsyncWebClient, ref: MessageRef, payload: Payload
    ) -> SendResult:
        return await with_plain_fallback(partial(_update_body, client, ref), payload)

    async def _ref(self, delivery: Delivery, notice: Notice) -> MessageRef | None:
        names = owner(delivery.receiver, delivery.channel)
        return await self._t.refs.get(names, notice.group_key, delivery.cycle)


async def _post_body(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str | None,
    metadata: dict[str, Any] | None,
    body: Payload,
) -> SendResult:
    return await post_message(client, channel, body, thread_ts, metadata)


async def _update_body(client: AsyncWebClient, ref: MessageRef, body: Payload) -> SendResult:
    return await update_message(client, ref.channel, ref.ts, body)


def _no_token() -> Failed:
    return Failed("SLACK_BOT_TOKEN is not set", Refusal.NOT_CONFIGURED.value)
