"""A Slack incoming webhook: always a new post (webhooks return no `ts` to edit or thread)."""

from __future__ import annotations

from functools import partial

from notifier.delivery.channel import Checked
from notifier.delivery.outcome import Paced, SendResult
from notifier.delivery.slack_payload import (
    TEST_TEXT,
    BlockKitMessages,
    Payload,
    with_plain_fallback,
)
from notifier.delivery.slack_web_api import post_webhook
from notifier.delivery.transports import Transports
from notifier.notices import Notice
from notifier.render.block_kit import render_storm_summary
from notifier.rules.model import SlackWebhookConfig
from notifier.store.outbox import Delivery


def webhook_lane(receiver: str, number: int = 1) -> str:
    # A webhook's channel is hidden in its secret URL, so the receiver stands for it.
    return f"webhook:{receiver}" if number == 1 else f"webhook:{receiver}:{number}"


class SlackWebhookChannel(BlockKitMessages):
    def __init__(self, config: SlackWebhookConfig, receiver: str, transports: Transports) -> None:
        self.key = config.key
        self.lane = webhook_lane(receiver, config.number)
        self.receiver = receiver
        self._url = config.url
        self._t = transports

    async def send(self, delivery: Delivery, message: Payload) -> Paced:
        return await self._t.pacer.send(self.lane, partial(self._post, message))

    async def fold(self, deliveries: list[Delivery]) -> Paced:
        notices = [d.content for d in deliveries if isinstance(d.content, Notice)]
        summary = render_storm_summary(self.receiver, notices)
        return await self._t.pacer.send(self.lane, partial(self._post, summary))

    async def check(self) -> Checked:
        outcome = await self._post_once({"text": TEST_TEXT})
        return Checked(outcome, f"the incoming webhook of receiver {self.receiver!r}")

    async def _post(self, payload: Payload) -> SendResult:
        return await with_plain_fallback(self._post_once, payload)

    async def _post_once(self, body: Payload) -> SendResult:
        timeout = self._t.settings.slack_timeout
        return await post_webhook(self._t.http.get(), self._url, body, timeout)
