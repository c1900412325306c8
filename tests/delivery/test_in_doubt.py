"""A delivery whose first try may have reached Slack is looked for before it is posted again."""

from datetime import timedelta
from typing import Any
from unittest.mock import ANY

import aiohttp
from fakes import delivery
from fakes.delivery import Clock, outbox, queue, run, slack_settings
from fakes.events import NOW
from fakes.notices import make_notice
from fakes.slack import FakeSlack
from sqlalchemy import Engine

from notifier.delivery import Deliverer
from notifier.delivery.slack_web_api import delivery_metadata, make_client, post_message
from notifier.notices import Reason
from notifier.rules.model import Rules
from notifier.store.outbox import claim_deliveries

RULES = Rules(receivers={"slack": delivery.slack("slack", "#alerts")})
LEASE = timedelta(seconds=45)


def rows(engine: Engine) -> list[Any]:
    return outbox(engine, "status", "in_doubt_since")


async def die_mid_send(
    engine: Engine, slack: FakeSlack, parent: dict[str, Any] | None = None
) -> None:
    """A worker claims the next delivery, Slack posts it (into `parent`'s thread, if given),
    and the worker dies before it can record that."""
    with engine.begin() as conn:
        [claimed] = claim_deliveries(conn, NOW, LEASE, 1)
    channel = parent["channel_id"] if parent else "#alerts"
    thread_ts = parent["ts"] if parent else None
    async with aiohttp.ClientSession() as session:
        client = make_client(slack.token, session, slack.api_url)
        payload = {"text": "posted by the worker that died"}
        metadata = delivery_metadata(claimed.id)
        await post_message(client, channel, payload, thread_ts, metadata)


def test_a_post_whose_worker_died_mid_send_is_found_and_not_posted_again(engine: Engine) -> None:
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice("earlier"))  # the channel's ID is known from an earlier post
        await deliverer.run_once()
        queue(engine, make_notice("crashed"), make_notice("crashed", reason=Reason.NEW_IN_GROUP))
        await die_mid_send(engine, slack)
        clock.now = NOW + LEASE + timedelta(seconds=1)  # its lease runs out
        await deliverer.run_once()
        clock.now += timedelta(seconds=2)
        await deliverer.run_once()

    with FakeSlack() as slack:
        run(engine, RULES, slack_settings(slack), clock, scenario)
        _, crashed = slack.messages
        # The retry found the first try by its metadata: no second post, and the group's
        # next notice edited the message the dead worker had posted.
        assert [u["ts"] for u in slack.updates] == [crashed["ts"]]
        assert [r.path for r in slack.requests].count("/api/conversations.history") == 1
    statuses = [row.status for row in rows(engine)]
    assert statuses == ["sent", "sent", "sent"]


def test_without_the_history_scope_a_post_in_doubt_is_sent_again(engine: Engine) -> None:
    """Slack will not say what was posted: at-least-once, as the README states."""
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice("earlier"))
        await deliverer.run_once()
        queue(engine, make_notice("crashed"))
        await die_mid_send(engine, slack)
        clock.now = NOW + LEASE + timedelta(seconds=1)
        await deliverer.run_once()

    with FakeSlack(scopes=frozenset({"chat:write"})) as slack:
        run(engine, RULES, slack_settings(slack), clock, scenario)
        asked = [r for r in slack.requests if r.path == "/api/conversations.history"]
        assert [m["text"] for m in slack.messages[1:]] == ["posted by the worker that died", ANY]
        assert len(slack.messages) == 3 and len(asked) == 1
    assert [row.status for row in rows(engine)] == ["sent", "sent"]


def test_a_post_that_timed_out_is_looked_for_before_it_is_posted_again(engine: Engine) -> None:
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice("earlier"))
        await deliverer.run_once()
        clock.now += timedelta(seconds=1)
        queue(engine, make_notice("slow"), at=clock.now)
        slack.hang()
        await deliverer.run_once()  # gives up after the timeout
        [_, slow] = rows(engine)
        assert slow.status == "pending" and slow.in_doubt_since == clock.now
        slack.hang(False)  # Slack was only slow: it posts the message after all
        clock.now += timedelta(minutes=5)
        await deliverer.run_once()

    with FakeSlack() as slack:
        run(engine, RULES, slack_settings(slack, slack_timeout=0.3), clock, scenario)
        asked = [r for r in slack.requests if r.path == "/api/conversations.history"]
        assert len(slack.messages) == 2 and len(asked) == 1
    assert [row.status for row in rows(engine)] == ["sent", "sent"]


def test_a_thread_reply_whose_worker_died_is_found_in_the_thread(engine: Engine) -> None:
    clock = Clock()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice("g"))
        await deliverer.run_once()
        queue(engine, make_notice("g", reason=Reason.REPEAT))
        await die_mid_send(engine, slack, parent=slack.messages[0])
        clock.now = NOW + LEASE + timedelta(seconds=1)
        await deliverer.run_once()

    with FakeSlack() as slack:
        run(engine, RULES, slack_settings(slack), clock, scenario)
        parent, reply = slack.messages
        assert reply["thread_ts"] == parent["ts"] and not reply["orphaned"]
        asked = [r.path for r in slack.requests if "conversations" in r.path]
        assert asked == ["/api/conversations.replies"]
        assert [u["ts"] for u in slack.updates] == [parent["ts"]]  # the parent is refreshed
    assert [row.status for row in rows(engine)] == ["sent", "sent"]
