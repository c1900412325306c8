"""The two calls back to Slack an action needs: answer through the click's `response_url`,
and list a user group's members. No tokens or URLs reach a log line."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from notifier.delivery.slack_web_api import TIMEOUT_SECONDS, make_client, session_with_timeout

log = logging.getLogger(__name__)


async def respond(response_url: str, body: dict[str, Any]) -> bool:
    """POST `body` to a `response_url` (https://api.slack.com/interactivity/handling#message_responses):
    `replace_original` edits the message the button was on, `response_type` `ephemeral` shows
    the answer to the user alone. False (logged) when Slack refused it."""
    try:
        async with (
            session_with_timeout(TIMEOUT_SECONDS) as session,
            session.post(response_url, json=body) as answer,
        ):
            text = await answer.text(errors="replace")
            if answer.status == 200:
                return True
            log.warning("Slack refused an answer to an action: %s %s", answer.status, text[:200])
    except (TimeoutError, aiohttp.ClientError) as error:
        log.warning("could not answer an action in Slack: %s", type(error).__name__)
    return False


class GroupMembers:
    """`await members(group_id)`: the user IDs in a Slack user group, None if Slack will not
    say (https://api.slack.com/methods/usergroups.users.list, scope usergroups:read)."""

    def __init__(self, token: str | None, api_url: str) -> None:
        self._token = token
        self._api_url = api_url

    async def __call__(self, group: str) -> frozenset[str] | None:
        if not self._token:
            log.warning("SLACK_ALLOWED_GROUPS needs SLACK_BOT_TOKEN to look up members")
            return None
        async with session_with_timeout(TIMEOUT_SECONDS) as session:
            client: AsyncWebClient = make_client(self._token, session, self._api_url)
            try:
                answer = await client.usergroups_users_list(usergroup=group)
            except SlackApiError as error:
                log.warning("usergroups.users.list %s: %s", group, error.response.get("error"))
                return None
            except (TimeoutError, aiohttp.ClientError) as error:
                log.warning("usergroups.users.list %s: %s", group, type(error).__name__)
                return None
        users = answer.get("users")
        return frozenset(str(u) for u in users) if isinstance(users, list) else None
