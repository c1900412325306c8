"""Answering through a response_url, and listing a user group, against FakeSlack as strict as
Slack: a response_url serves 5 answers within 30 minutes, usergroups.users.list needs its scope."""

import asyncio

import httpx
from fakes.slack import FakeSlack

from notifier.slack_actions.slack_calls import GroupMembers, respond

TOKEN = "xoxb-fake-token"


def test_a_response_url_takes_five_answers_then_refuses() -> None:
    with FakeSlack(token=TOKEN) as slack:
        url = slack.response_url()

        async def answer_six_times() -> list[bool]:
            return [await respond(url, {"text": f"answer {n}"}) for n in range(6)]

        assert asyncio.run(answer_six_times()) == [True] * 5 + [False]


def test_a_response_url_older_than_30_minutes_is_refused() -> None:
    with FakeSlack(token=TOKEN) as slack:
        url = slack.response_url()
        slack.age_response_urls(30 * 60 + 1)

        assert asyncio.run(respond(url, {"text": "too late"})) is False
        assert slack.responses == []


def test_replace_original_edits_the_message_the_click_came_from() -> None:
    with FakeSlack(token=TOKEN) as slack:
        slack.response_url()  # another message's
        auth = {"Authorization": f"Bearer {TOKEN}"}
        body = {"channel": "#alerts", "text": "old"}
        httpx.post(f"{slack.api_url}chat.postMessage", json=body, headers=auth, timeout=5)
        url = slack.response_url(slack.messages[0])

        asyncio.run(respond(url, {"replace_original": True, "text": "new"}))

        assert slack.messages[0]["text"] == "new"


def test_group_members_are_listed_with_the_scope_and_refused_without_it() -> None:
    scoped = frozenset({"chat:write", "usergroups:read"})
    with FakeSlack(token=TOKEN, scopes=scoped) as slack, FakeSlack(token=TOKEN) as unscoped:
        slack.set_user_groups({"S0ONCALL": ["U1", "U2"]})
        unscoped.set_user_groups({"S0ONCALL": ["U1", "U2"]})

        async def lookups() -> list[frozenset[str] | None]:
            return [
                await GroupMembers(TOKEN, slack.api_url)("S0ONCALL"),
                await GroupMembers(TOKEN, slack.api_url)("S0NOSUCH"),
                await GroupMembers(TOKEN, unscoped.api_url)("S0ONCALL"),
                await GroupMembers(None, slack.api_url)("S0ONCALL"),
            ]

        assert asyncio.run(lookups()) == [frozenset({"U1", "U2"}), None, None, None]
