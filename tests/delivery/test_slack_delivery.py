import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from fakes import delivery
from fakes.delivery import Clock, outbox, queue, slack_settings
from fakes.events import NOW, make_event
from fakes.notices import make_notice
from fakes.slack import FakeSlack
from sqlalchemy import Engine

from notifier.delivery import Deliverer
from notifier.delivery.directory import build_channel
from notifier.delivery.outcome import Paced, Sent
from notifier.delivery.transports import Transports
from notifier.notices import Reason
from notifier.rules.model import ChannelConfig, Rules, SlackApiConfig, SlackWebhookConfig
from notifier.store.outbox import Delivery, DigestMessage

TOKEN = "xoxb-1234-very-secret-token"


def rules(**config: str) -> Rules:
    if "webhook_url" in config:
        return delivery.rules_of(delivery.webhook("slack", config["webhook_url"]))
    return delivery.rules_of(delivery.slack("slack", config["channel"]))


def rows(engine: Engine) -> list[Any]:
    return outbox(engine, "status", "last_error", "next_attempt_at")


Step = Callable[[Deliverer], Awaitable[None]]


def run(
    engine: Engine, slack: FakeSlack, scenario: Step, clock: Clock | None = None, **config: str
) -> None:
    """Runs a scenario on one loop, through a real Deliverer and the real senders."""
    the_rules = rules(**(config or {"channel": "#alerts"}))
    delivery.run(engine, the_rules, slack_settings(slack), clock or Clock(), scenario)


async def settle(deliverer: Deliverer, clock: Clock, seconds: int = 5) -> None:
    """Runs the deliverer once a (pinned) second, so a channel's paced sends all go out."""
    for _ in range(seconds):
        await deliverer.run_once()
        clock.now += timedelta(seconds=1)


def test_first_posts_then_new_in_group_edits_and_repeat_replies_in_thread(engine: Engine) -> None:
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice(), at=clock.now)
        assert await deliverer.run_once() == 1
        clock.now += timedelta(seconds=1)
        queue(engine, make_notice(reason=Reason.NEW_IN_GROUP, count=2), at=clock.now)
        assert await deliverer.run_once() == 1
        clock.now += timedelta(seconds=1)
        queue(engine, make_notice(reason=Reason.REPEAT, count=3), at=clock.now)
        assert await deliverer.run_once() == 1

    with FakeSlack(token=TOKEN) as slack:
        run(engine, slack, scenario, clock)
        parent, reply = slack.messages
        assert parent["channel"] == "#alerts" and parent["thread_ts"] is None
        # Slack takes only the channel's ID in chat.update (python-slack-sdk#696) and a reply
        # belongs to the parent only in the parent's channel.
        channel = slack.channel_id("#alerts")
        assert (reply["channel"], reply["thread_ts"], reply["orphaned"]) == (
            channel,
            parent["ts"],
            False,
        )
        # new_in_group edited the parent; the repeat refreshed it too.
        assert [(u["channel"], u["ts"]) for u in slack.updates] == [(channel, parent["ts"])] * 2
        # The thread gets two short lines; the parent keeps the whole message, count updated.
        assert not reply.get("blocks") and reply["text"].count("\n") == 1
        assert "3 events" in str(slack.updates[-1]["blocks"])
    assert [row.status for row in rows(engine)] == ["sent", "sent", "sent"]


def test_first_and_new_in_group_in_one_batch_edit_the_message_just_posted(
    engine: Engine,
) -> None:
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice(), make_notice(reason=Reason.NEW_IN_GROUP, count=2))
        assert await deliverer.run_once() == 2
        await settle(deliverer, clock)

    with FakeSlack(token=TOKEN) as slack:
        run(engine, slack, scenario, clock)
        [parent] = slack.messages
        assert [u["ts"] for u in slack.updates] == [parent["ts"]]


def test_new_in_group_without_a_known_message_posts_one(engine: Engine) -> None:
    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice(reason=Reason.NEW_IN_GROUP, count=2))
        await deliverer.run_once()

    with FakeSlack(token=TOKEN) as slack:
        run(engine, slack, scenario)
        assert len(slack.messages) == 1 and slack.updates == []


def test_a_new_cycle_and_a_replay_post_new_messages(engine: Engine) -> None:
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice())
        queue(engine, make_notice(), cycle=2)
        queue(engine, make_notice(reason=Reason.REPLAY))
        await settle(deliverer, clock)

    with FakeSlack(token=TOKEN) as slack:
        run(engine, slack, scenario, clock)
        assert len({m["ts"] for m in slack.messages}) == 3 and slack.updates == []


def test_429_defers_the_delivery_and_holds_back_the_channel(engine: Engine) -> None:
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice("a"), make_notice("b"))
        assert await deliverer.run_once() == 2
        assert await deliverer.run_once() == 0  # nothing is due yet

    with FakeSlack(token=TOKEN) as slack:
        slack.rate_limit(30, channel="#alerts")
        run(engine, slack, scenario, clock)
        assert [r.status for r in slack.requests] == [429]
        assert slack.messages == []
    first, second = rows(engine)
    assert first.status == second.status == "pending"
    assert first.next_attempt_at >= NOW + timedelta(seconds=30)
    assert second.next_attempt_at >= NOW + timedelta(seconds=29)
    assert "rate limit" in first.last_error


def test_500_is_retried_and_then_delivered_exactly_once(engine: Engine) -> None:
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice())
        await deliverer.run_once()
        assert rows(engine)[0].status == "pending"
        clock.now += timedelta(hours=1)
        await deliverer.run_once()
        clock.now += timedelta(hours=1)
        assert await deliverer.run_once() == 0

    with FakeSlack(token=TOKEN) as slack:
        slack.fail_next(1, status=500)
        run(engine, slack, scenario, clock)
        assert [r.status for r in slack.requests] == [500, 200]
        assert len(slack.messages) == 1
    assert [row.status for row in rows(engine)] == ["sent"]


def test_channel_not_found_fails_with_that_reason(engine: Engine) -> None:
    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice())
        await deliverer.run_once()

    with FakeSlack(token=TOKEN) as slack:
        slack.error("channel_not_found")
        run(engine, slack, scenario)
    [row] = rows(engine)
    assert (row.status, row.last_error) == ("failed", "slack: channel_not_found")


def test_the_token_never_appears_in_last_error(engine: Engine) -> None:
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice("a"))
        await deliverer.run_once()
        slack.error(None)
        slack.fail_next(1, status=500, body=f"oops {TOKEN}")
        queue(engine, make_notice("b"))
        clock.now += timedelta(seconds=1)  # the channel's next turn
        await deliverer.run_once()

    with FakeSlack(token=TOKEN) as slack:
        slack.error(TOKEN)  # a hostile answer echoing the token back
        run(engine, slack, scenario, clock)
    errors = [row.last_error for row in rows(engine)]
    assert all(errors) and not [e for e in errors if TOKEN in e]


def test_missing_bot_token_fails_clearly(engine: Engine) -> None:
    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice())
        await deliverer.run_once()

    with FakeSlack(token="") as slack:
        run(engine, slack, scenario)
        assert slack.requests == []
    [row] = rows(engine)
    assert (row.status, row.last_error) == ("failed", "SLACK_BOT_TOKEN is not set")


def test_webhook_receiver_always_posts(engine: Engine) -> None:
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice())
        queue(engine, make_notice(reason=Reason.NEW_IN_GROUP, count=2))
        await settle(deliverer, clock)
        queue(engine, make_notice(reason=Reason.REPEAT, count=3), at=clock.now)
        await settle(deliverer, clock)

    with FakeSlack(token=TOKEN) as slack:
        run(engine, slack, scenario, clock, webhook_url=slack.webhook_url())
        assert len(slack.messages) == 3 and slack.updates == []
        assert all(r.path.startswith("/webhook/") for r in slack.requests)
    assert [row.status for row in rows(engine)] == ["sent"] * 3


def test_an_alert_with_a_huge_sid_is_delivered_within_slacks_limits(engine: Engine) -> None:
    event = make_event(error_code="1" * 4_000, message="&" * 9_000)

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice(event=event))
        await deliverer.run_once()

    with FakeSlack(token=TOKEN) as slack:
        run(engine, slack, scenario)
        [message] = slack.messages
        assert message["blocks"] and [r.status for r in slack.requests] == [200]
    assert [row.status for row in rows(engine)] == ["sent"]


OVERSIZED = {
    "text": "Digest morning",
    "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
}


@pytest.mark.parametrize("config", ["channel", "webhook_url"], ids=["web-api", "webhook"])
def test_blocks_slack_refuses_are_sent_again_as_plain_text(engine: Engine, config: str) -> None:
    with FakeSlack(token=TOKEN) as slack:
        target: ChannelConfig = (
            SlackWebhookConfig(slack.webhook_url())
            if config == "webhook_url"
            else SlackApiConfig("#alerts")
        )
        transports = Transports.start(slack_settings(slack), engine, Clock())
        digest = Delivery(1, "slack", None, 0, 1, DigestMessage("morning", OVERSIZED))

        async def post() -> Paced:
            try:
                return await build_channel(target, "slack", transports).send(digest, OVERSIZED)
            finally:
                await transports.aclose()

        assert isinstance(asyncio.run(post()), Sent)
        refused, accepted = slack.requests
        assert "blocks" in refused.body and "blocks" not in accepted.body
        assert [m["text"] for m in slack.messages] == [accepted.body["text"]]
        assert accepted.body["text"].startswith("Digest morning\nx")
