import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from fakes.slack import FakeSlack
from slack_sdk.web.async_client import AsyncWebClient

from notifier.delivery.outcome import Failed, Refusal, Retry, SendResult, Sent
from notifier.delivery.slack_web_api import (
    delivery_metadata,
    find_posted,
    make_client,
    post_message,
    post_webhook,
    session_with_timeout,
    update_message,
)

PAYLOAD = {"text": "ERROR 11200 HTTP retrieval failure", "blocks": []}
ApiCall = Callable[[AsyncWebClient], Awaitable[Any]]
AN_HOUR_AGO = datetime.now(UTC) - timedelta(hours=1)


def with_client(
    slack: FakeSlack, call: ApiCall, token: str | None = None, timeout: float = 10
) -> Any:
    async def run() -> Any:
        async with session_with_timeout(timeout) as session:
            return await call(make_client(token or slack.token, session, slack.api_url))

    return asyncio.run(run())


def webhook(url: str, payload: dict[str, Any] = PAYLOAD, timeout: float = 10) -> SendResult:
    async def run() -> SendResult:
        async with aiohttp.ClientSession() as session:
            return await post_webhook(session, url, payload, timeout)

    return asyncio.run(run())


def post(channel: str = "#alerts", thread_ts: str | None = None) -> ApiCall:
    return lambda client: post_message(client, channel, PAYLOAD, thread_ts=thread_ts)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_post_message_returns_the_ts_and_channel_id_slack_assigned() -> None:
    with FakeSlack() as slack:
        first, second = with_client(slack, lambda c: asyncio.gather(post()(c), post()(c)))
        assert {first, second} == {
            Sent(m["ts"], slack.channel_id("#alerts")) for m in slack.messages
        }
        assert first.channel.startswith("C") and first.ts != second.ts
        assert slack.requests[0].token == slack.token


def post_then(
    then: Callable[[AsyncWebClient, Sent], Awaitable[SendResult | None]],
) -> ApiCall:
    async def call(client: AsyncWebClient) -> SendResult | None:
        posted = await post_message(client, "#alerts", PAYLOAD)
        assert isinstance(posted, Sent) and posted.ts and posted.channel
        return await then(client, posted)

    return call


def test_update_message_edits_the_posted_message_by_channel_id() -> None:
    changed = {"text": "count 2", "blocks": []}
    with FakeSlack() as slack:
        edit = post_then(
            lambda c, sent: update_message(c, str(sent.channel), str(sent.ts), changed)
        )
        assert with_client(slack, edit) == Sent(
            slack.messages[0]["ts"], slack.channel_id("#alerts")
        )
        assert [u["text"] for u in slack.updates] == ["count 2"]


def test_update_naming_the_channel_is_refused_as_slack_does() -> None:
    with FakeSlack() as slack:
        edit = post_then(lambda c, sent: update_message(c, "#alerts", str(sent.ts), PAYLOAD))
        assert with_client(slack, edit) == Failed("slack: channel_not_found")
        assert slack.updates == []


def test_update_of_an_unknown_message_is_message_not_found() -> None:
    with FakeSlack() as slack:
        edit = post_then(lambda c, sent: update_message(c, str(sent.channel), "1.000001", PAYLOAD))
        outcome = with_client(slack, edit)
        assert outcome == Failed("slack: message_not_found")
        assert outcome.refusal is Refusal.MESSAGE_NOT_FOUND


def test_thread_reply_is_posted_with_the_parent_ts_in_its_channel() -> None:
    with FakeSlack() as slack:
        reply = post_then(
            lambda c, sent: post_message(c, str(sent.channel), PAYLOAD, thread_ts=sent.ts)
        )
        with_client(slack, reply)
        parent, child = slack.messages
        assert child["thread_ts"] == parent["ts"] and not child["orphaned"]


def test_slack_that_never_answers_is_given_up_after_the_timeout_and_retried() -> None:
    with FakeSlack() as slack:
        slack.hang()
        started = time.monotonic()
        outcome = with_client(slack, post(), timeout=0.3)
        assert time.monotonic() - started < 2
    assert outcome == Retry(None, "timed out") and outcome.unknown


def test_webhook_that_never_answers_is_given_up_after_the_timeout() -> None:
    with FakeSlack() as slack:
        slack.hang()
        outcome = webhook(slack.webhook_url(), timeout=0.3)
    assert outcome == Retry(None, "timed out") and outcome.unknown


def find(metadata: dict[str, Any]) -> ApiCall:
    return post_then(lambda c, sent: find_posted(c, str(sent.channel), AN_HOUR_AGO, metadata))


def test_a_post_is_found_again_by_its_metadata() -> None:
    with FakeSlack() as slack:

        async def tagged_then_find(client: AsyncWebClient) -> SendResult | None:
            await post_message(client, "#alerts", PAYLOAD, metadata=delivery_metadata(7))
            found: SendResult | None = await find(delivery_metadata(7))(client)
            return found

        found = with_client(slack, tagged_then_find)
        assert found == Sent(slack.messages[0]["ts"], slack.channel_id("#alerts"))


def test_no_post_with_the_metadata_finds_nothing() -> None:
    with FakeSlack() as slack:
        assert with_client(slack, find(delivery_metadata(7))) is None


def test_history_without_its_scope_fails_as_missing_scope() -> None:
    with FakeSlack(scopes=frozenset({"chat:write"})) as slack:
        assert with_client(slack, find(delivery_metadata(7))) == Failed("slack: missing_scope")


@pytest.mark.parametrize(
    "error",
    ["channel_not_found", "not_in_channel", "is_archived", "some_new_error"],
    ids=lambda e: f"{e}-fails",
)
def test_slack_permanent_error_fails_with_slacks_error_name(error: str) -> None:
    with FakeSlack() as slack:
        slack.error(error)
        assert with_client(slack, post()) == Failed(f"slack: {error}")


def test_wrong_token_fails_as_invalid_auth() -> None:
    with FakeSlack() as slack:
        assert with_client(slack, post(), token="xoxb-wrong") == Failed("slack: invalid_auth")


def test_slack_429_defers_until_retry_after() -> None:
    with FakeSlack() as slack:
        slack.rate_limit(30, channel="#alerts")
        outcome = with_client(slack, post("#alerts"))
        assert outcome == Retry(30.0, "slack: rate limited (429)")
        assert isinstance(with_client(slack, post("#other")), Sent)
        assert [r.status for r in slack.requests] == [429, 200]


def test_slack_500_is_retried_then_the_message_goes_through() -> None:
    with FakeSlack() as slack:
        slack.fail_next(1, status=500)
        assert with_client(slack, post()) == Retry(None, "slack: HTTP 500")
        assert isinstance(with_client(slack, post()), Sent)


def test_unreachable_slack_is_retried() -> None:
    async def call(session: aiohttp.ClientSession) -> SendResult:
        client = make_client("xoxb-x", session, f"http://127.0.0.1:{closed_port()}/api")
        return await post_message(client, "#alerts", PAYLOAD)

    async def run() -> SendResult:
        async with aiohttp.ClientSession() as session:
            return await call(session)

    assert asyncio.run(run()) == Retry(None, "connection failed (ClientConnectorError)")


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (None, None, Sent(None)),
        (400, "invalid_payload", Failed("slack webhook: HTTP 400 invalid_payload")),
        (403, "action_prohibited", Failed("slack webhook: HTTP 403 action_prohibited")),
        (404, "no_service", Failed("slack webhook: HTTP 404 no_service")),
        (410, "channel_is_archived", Failed("slack webhook: HTTP 410 channel_is_archived")),
        (500, "", Retry(None, "slack webhook: HTTP 500")),
    ],
    ids=["200-sent", "400-fails", "403-fails", "404-fails", "410-fails", "500-retries"],
)
def test_webhook_answer_decides_the_outcome(
    status: int | None, body: str | None, expected: SendResult
) -> None:
    with FakeSlack() as slack:
        if status is not None:
            slack.fail_next(1, status=status, body=body)
        assert webhook(slack.webhook_url()) == expected


def test_webhook_429_defers_until_retry_after() -> None:
    with FakeSlack() as slack:
        slack.rate_limit(7)
        assert webhook(slack.webhook_url()) == Retry(7.0, "slack webhook: rate limited (429)")
        assert slack.messages == []


def test_no_slack_outcome_reveals_the_token_or_webhook_url() -> None:
    token = "xoxb-1234-secret-token"
    with FakeSlack(token=token) as slack:
        hook = slack.webhook_url("T01/B02/s3cr3tP4th")
        slack.error(token)  # a hostile answer echoing the secret back
        outcomes = [with_client(slack, post())]
        slack.error(None)
        for status in (400, 404, 500, 429):
            slack.fail_next(2, status=status, body=f"bad {hook}")
            outcomes += [webhook(hook), with_client(slack, post())]
    outcomes.append(webhook(f"http://127.0.0.1:{closed_port()}/webhook/s3cr3tP4th"))
    reasons = [o.reason for o in outcomes if not isinstance(o, Sent)]
    assert len(reasons) == len(outcomes)
    assert not [r for r in reasons if token in r or "s3cr3tP4th" in r]


def button(url: str) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": "Open"}, "url": url}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@pytest.mark.parametrize(
    "blocks",
    [
        [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
        [section("x" * 3001)],
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "x"}] * 11}],
        [{"type": "actions", "elements": [button("https://x/" + "y" * 2991)]}],
        [{"type": "actions", "elements": []}],
        [section("x")] * 51,
    ],
    ids=["header-151", "section-3001", "11-fields", "url-3001", "no-buttons", "51-blocks"],
)
def test_blocks_over_slacks_limits_are_refused_as_invalid_blocks(blocks: list[Any]) -> None:
    with FakeSlack() as slack:
        payload = {"text": "t", "blocks": blocks}
        call = post_then(lambda c, _: post_message(c, "#alerts", payload))
        outcome = with_client(slack, call)
        assert outcome == Failed("slack: invalid_blocks")
        assert outcome.refusal is Refusal.INVALID_BLOCKS and len(slack.messages) == 1
        assert webhook(slack.webhook_url(), payload) == Failed(
            "slack webhook: HTTP 400 invalid_blocks"
        )


def test_text_over_40000_characters_is_refused_as_msg_too_long() -> None:
    with FakeSlack() as slack:
        payload = {"text": "x" * 40_001}
        assert with_client(slack, lambda c: post_message(c, "#alerts", payload)) == Failed(
            "slack: msg_too_long"
        )


def test_a_reply_is_found_again_among_its_threads_replies_only() -> None:
    metadata = delivery_metadata(8)
    with FakeSlack() as slack:

        async def reply_then_find(client: AsyncWebClient, sent: Sent) -> SendResult | None:
            channel, ts = str(sent.channel), str(sent.ts)
            await post_message(client, channel, PAYLOAD, thread_ts=ts, metadata=metadata)
            in_channel = await find_posted(client, channel, AN_HOUR_AGO, metadata)
            assert in_channel is None  # conversations.history leaves replies out
            return await find_posted(client, channel, AN_HOUR_AGO, metadata, thread_ts=ts)

        found = with_client(slack, post_then(reply_then_find))
        assert found == Sent(slack.messages[1]["ts"], slack.channel_id("#alerts"))


def test_replies_of_an_unknown_thread_are_thread_not_found() -> None:
    with FakeSlack() as slack:
        look = post_then(
            lambda c, sent: find_posted(
                c, str(sent.channel), AN_HOUR_AGO, delivery_metadata(1), thread_ts="1.000001"
            )
        )
        assert with_client(slack, look) == Failed("slack: thread_not_found")
