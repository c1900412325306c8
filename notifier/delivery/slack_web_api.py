"""Calls to Slack: the Web API with a bot token, or an incoming webhook; each answer classified.
No formatting, no pacing, no store here."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from notifier.delivery.classify import (
    classify_slack_api,
    classify_transport_error,
    classify_webhook,
    redact,
)
from notifier.delivery.outcome import Failed, Retry, SendResult, Sent

SLACK_API_URL = "https://slack.com/api/"
# Every call to Slack ends within this, answered or not (a retry, see result.py).
TIMEOUT_SECONDS = 10
# The message metadata type the bot tags its posts with (https://api.slack.com/metadata/using).
EVENT_TYPE = "twilio_alert"
# A page of conversations.history: the bot only looks back to its own first try.
HISTORY_PAGE = 200
# conversations.list pages (of 200) read to find a channel by name before giving up.
LIST_PAGES = 50
# Conversation IDs: C (public), G (private), D (direct); https://api.slack.com/types/conversation
_CONVERSATION_ID = re.compile(r"^[CGD][A-Z0-9]{8,}$")


def session_with_timeout(seconds: float) -> aiohttp.ClientSession:
    """A session whose every request ends within `seconds`: slack_sdk ignores its own timeout
    when given a session, and aiohttp's default would wait 300 s for an answer."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds))


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


def delivery_metadata(delivery_id: int) -> dict[str, Any]:
    """The metadata a post carries so that a retry can find it in the channel's history."""
    return {"event_type": EVENT_TYPE, "event_payload": {"delivery_id": str(delivery_id)}}


async def post_message(
    client: AsyncWebClient,
    channel: str,
    payload: dict[str, Any],
    thread_ts: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> SendResult:
    """`chat.postMessage`; a `thread_ts` makes it a reply in that message's thread."""
    call = client.chat_postMessage(
        channel=channel,
        text=payload["text"],
        blocks=payload.get("blocks"),
        thread_ts=thread_ts,
        metadata=metadata,
    )
    outcome, _ = await _call(client, call)
    return outcome


async def update_message(
    client: AsyncWebClient, channel: str, ts: str, payload: dict[str, Any]
) -> SendResult:
    """`chat.update` of a message posted earlier; `channel` must be its ID, not its name
    (https://api.slack.com/methods/chat.update, slackapi/python-slack-sdk#696)."""
    call = client.chat_update(
        channel=channel, ts=ts, text=payload["text"], blocks=payload.get("blocks")
    )
    outcome, _ = await _call(client, call)
    return outcome


async def find_posted(
    client: AsyncWebClient,
    channel: str,
    since: datetime,
    metadata: dict[str, Any],
    thread_ts: str | None = None,
) -> SendResult | None:
    """The message posted since `since` that carries `metadata` (in the channel, or among the
    replies to `thread_ts`), as Sent; None when there is none; Failed when Slack will not say
    (no history scope: the caller posts, at-least-once)."""
    oldest, limit = f"{since.timestamp():.6f}", HISTORY_PAGE
    if thread_ts is None:
        call = client.conversations_history(
            channel=channel, oldest=oldest, include_all_metadata=True, limit=limit
        )
    else:  # a reply is not in the channel's history, only in its thread
        call = client.conversations_replies(
            channel=channel, ts=thread_ts, oldest=oldest, include_all_metadata=True, limit=limit
        )
    outcome, data = await _call(client, call)
    if not isinstance(outcome, Sent):
        return outcome
    for message in data.get("messages") or []:
        if _carries(message, metadata):
            return Sent(str(message.get("ts")), channel)
    return None


def _carries(message: Any, metadata: dict[str, Any]) -> bool:
    found = message.get("metadata") if isinstance(message, Mapping) else None
    return isinstance(found, Mapping) and all(found.get(key) == metadata[key] for key in metadata)


async def _call(
    client: AsyncWebClient, call: Awaitable[AsyncSlackResponse]
) -> tuple[SendResult, Mapping[str, Any]]:
    outcome, data, _ = await _answer(client, call)
    return outcome, data


async def _answer(
    client: AsyncWebClient, call: Awaitable[AsyncSlackResponse]
) -> tuple[SendResult, Mapping[str, Any], Mapping[str, str]]:
    """The call's outcome, its JSON body and its HTTP headers (empty when nothing answered)."""
    data: Any = {}
    headers: Mapping[str, str] = {}
    try:
        response = await call
        data, headers = response.data, response.headers
        outcome = classify_slack_api(response.status_code, data, headers)
    except SlackApiError as exc:
        answer = exc.response
        headers = answer.headers
        outcome = classify_slack_api(answer.status_code, answer.data, headers)
    except (TimeoutError, aiohttp.ClientError) as exc:
        outcome = classify_transport_error(exc)
    body = data if isinstance(data, Mapping) else {}
    return redact(outcome, client.token), body, headers


async def post_webhook(
    session: aiohttp.ClientSession,
    url: str,
    payload: dict[str, Any],
    timeout: float = TIMEOUT_SECONDS,
) -> SendResult:
    """POST to an incoming webhook; its URL is a secret and never appears in the outcome."""
    try:
        limit = aiohttp.ClientTimeout(total=timeout)
        async with session.post(url, json=payload, timeout=limit) as response:
            text = await response.text(errors="replace")
            outcome = classify_webhook(response.status, text, response.headers)
    except (TimeoutError, aiohttp.ClientError) as exc:
        outcome = classify_transport_error(exc)
    return redact(outcome, url)


@dataclass(frozen=True)
class Identity:
    """Who a token is (`auth.test`), and the scopes it holds as Slack lists them in the
    X-OAuth-Scopes header of Web API answers (https://api.slack.com/legacy/oauth-scopes,
    "Working with scopes"); None when the answer had no such header."""

    user: str
    scopes: frozenset[str] | None


async def identity(client: AsyncWebClient) -> SendResult | Identity:
    """The token's bot user and scopes (`auth.test`), or why Slack refused the token."""
    outcome, data, headers = await _answer(client, client.auth_test())
    if not isinstance(outcome, Sent):
        return outcome
    listed = next((v for k, v in headers.items() if k.lower() == "x-oauth-scopes"), None)
    scopes = None if listed is None else frozenset(s.strip() for s in listed.split(",") if s)
    return Identity(str(data.get("user") or "yourbot"), scopes)


async def bot_name(client: AsyncWebClient) -> SendResult | str:
    """The bot's user name (`auth.test`), or why Slack refused the token."""
    found = await identity(client)
    return found.user if isinstance(found, Identity) else found


def is_conversation_id(channel: str) -> bool:
    return _CONVERSATION_ID.match(channel) is not None


async def conversation(
    client: AsyncWebClient, channel: str
) -> Failed | Retry | Mapping[str, Any] | None:
    """The conversation object `channel` names (with `is_member`, `is_archived`): an ID through
    conversations.info, a #name from conversations.list, since Slack's methods take IDs only;
    None when no conversation the token may list has that name."""
    if is_conversation_id(channel):
        outcome, data = await _call(client, client.conversations_info(channel=channel))
        return data.get("channel") or {} if isinstance(outcome, Sent) else outcome
    name, cursor = channel.lstrip("#"), None
    for _ in range(LIST_PAGES):
        call = client.conversations_list(
            types="public_channel,private_channel", limit=200, cursor=cursor
        )
        outcome, data = await _call(client, call)
        if not isinstance(outcome, Sent):
            return outcome
        found = [c for c in data.get("channels") or [] if c.get("name") == name]
        cursor = (data.get("response_metadata") or {}).get("next_cursor")
        if found or not cursor:
            return found[0] if found else None
    return None
