"""Sending to Slack: the Web API with a bot token, or an incoming webhook. No formatting here."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from notifier.channels.result import (
    Outcome,
    classify_slack_api,
    classify_transport_error,
    classify_webhook,
    redact,
)

SLACK_API_URL = "https://slack.com/api/"
TIMEOUT_SECONDS = 10


def make_client(
    token: str, session: aiohttp.ClientSession, base_url: str = SLACK_API_URL
) -> AsyncWebClient:
    """A Web API client on the shared session; retries are the outbox's job, not slack_sdk's."""
    if not base_url.endswith("/"):
        base_url += "/"
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        session=session,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[],
    )


async def post_message(
    client: AsyncWebClient, channel: str, payload: dict[str, Any], thread_ts: str | None = None
) -> Outcome:
    """`chat.postMessage`; a `thread_ts` makes it a reply in that message's thread."""
    call = client.chat_postMessage(
        channel=channel, text=payload["text"], blocks=payload.get("blocks"), thread_ts=thread_ts
    )
    return await _call(client, call)


async def update_message(
    client: AsyncWebClient, channel: str, ts: str, payload: dict[str, Any]
) -> Outcome:
    """`chat.update` of a message posted earlier (count and last seen change in place)."""
    call = client.chat_update(
        channel=channel, ts=ts, text=payload["text"], blocks=payload.get("blocks")
    )
    return await _call(client, call)


async def _call(client: AsyncWebClient, call: Awaitable[AsyncSlackResponse]) -> Outcome:
    try:
        response = await call
        outcome = classify_slack_api(response.status_code, response.data, response.headers)
    except SlackApiError as exc:
        answer = exc.response
        outcome = classify_slack_api(answer.status_code, answer.data, answer.headers)
    except (TimeoutError, aiohttp.ClientError) as exc:
        outcome = classify_transport_error(exc)
    return redact(outcome, client.token)


async def post_webhook(
    session: aiohttp.ClientSession, url: str, payload: dict[str, Any]
) -> Outcome:
    """POST to an incoming webhook; its URL is a secret and never appears in the outcome."""
    try:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        async with session.post(url, json=payload, timeout=timeout) as response:
            text = await response.text(errors="replace")
            outcome = classify_webhook(response.status, text, response.headers)
    except (TimeoutError, aiohttp.ClientError) as exc:
        outcome = classify_transport_error(exc)
    return redact(outcome, url)
