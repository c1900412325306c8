"""`notifier slack test`: check the token and post one message, reporting failures in words."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from notifier.channels.result import Failed, Outcome, Retry, Sent, redact
from notifier.channels.slack import make_client, post_message, post_webhook, session_with_timeout
from notifier.cli.common import settings_from_env
from notifier.errors import UserError
from notifier.rules.load import load_rules
from notifier.settings import Settings

TEST_TEXT = "Test message from twilio-alert-notifier: Slack delivery works."


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "slack", help="check the Slack setup", description="Check the Slack setup."
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    test = actions.add_parser(
        "test",
        help="check SLACK_BOT_TOKEN and post one test message",
        description=(
            "Runs auth.test with SLACK_BOT_TOKEN, then posts one test message to the receiver's "
            "channel or webhook (default: the first Slack receiver of the rules), or to --channel."
        ),
    )
    target = test.add_mutually_exclusive_group()
    target.add_argument("--receiver", help="a Slack receiver of the rules file")
    target.add_argument("--channel", help="a channel such as #alerts, or a channel id")
    test.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    channel, webhook = _target(args, settings)
    if webhook is not None:
        outcome = asyncio.run(_webhook_test(webhook))
        where = f"the incoming webhook of receiver {args.receiver!r}"
    else:
        assert channel is not None
        outcome = asyncio.run(_api_test(settings, channel))
        where = channel
    if isinstance(outcome, Sent):
        print(f"OK: posted a test message to {where}")
        return 0
    print(f"Slack test failed: {outcome.reason}")
    return 1


def _target(args: argparse.Namespace, settings: Settings) -> tuple[str | None, str | None]:
    """(channel, webhook URL): exactly one is set."""
    if args.channel:
        return args.channel, None
    rules = load_rules(settings.rules_file)
    slack = {name: r for name, r in rules.receivers.items() if r.kind == "slack"}
    if not slack:
        raise UserError(f"{settings.rules_file}: no Slack receiver; give --channel")
    name = args.receiver or next(iter(slack))
    args.receiver = name
    receiver = slack.get(name)
    if receiver is None:
        raise UserError(f"--receiver: no Slack receiver {name!r} (known: {', '.join(slack)})")
    webhook, channel = receiver.config.get("webhook_url"), receiver.config.get("channel")
    return (str(channel) if channel else None), (str(webhook) if webhook else None)


async def _webhook_test(url: str) -> Outcome:
    async with aiohttp.ClientSession() as session:
        outcome = await post_webhook(session, url, {"text": TEST_TEXT})
    return redact(outcome, url)


async def _api_test(settings: Settings, channel: str) -> Outcome:
    token = settings.slack_bot_token
    if not token:
        return Failed("SLACK_BOT_TOKEN is not set")
    async with session_with_timeout(settings.slack_timeout) as session:
        client = make_client(token, session, settings.slack_api_url)
        auth = await _auth_test(client)
        if not isinstance(auth, str):
            return redact(_in_words(auth, channel, "yourbot"), token)
        outcome = await post_message(client, channel, {"text": TEST_TEXT})
        return redact(_in_words(outcome, channel, auth), token)


async def _auth_test(client: AsyncWebClient) -> str | Outcome:
    """The bot's user name, or why auth.test failed."""
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        error = exc.response.data.get("error") if isinstance(exc.response.data, dict) else None
        return Failed(f"slack: {error or f'HTTP {exc.response.status_code}'}")
    except (TimeoutError, aiohttp.ClientError) as exc:
        return Retry(None, f"connection failed ({type(exc).__name__})")
    return str(response.get("user") or "yourbot")


_WORDS = {
    "invalid_auth": "Slack rejected the token (invalid_auth): check SLACK_BOT_TOKEN",
    "not_authed": "Slack received no token (not_authed)",
    "token_revoked": "the token was revoked (token_revoked): reinstall the app for a new one",
    "account_inactive": "the token's app or user is deactivated (account_inactive)",
    "not_in_channel": "the bot is not in {channel}: invite it with /invite @{bot}",
    "channel_not_found": (
        "channel_not_found: {channel} does not exist or is private without the bot "
        "(check the name, or invite the bot)"
    ),
    "is_archived": "{channel} is archived (is_archived)",
    "missing_scope": "the token lacks the chat:write scope (missing_scope)",
    "ratelimited": "Slack is rate limiting this app (ratelimited): try again in a minute",
}


def _in_words(outcome: Outcome, channel: str, bot: str) -> Outcome:
    if isinstance(outcome, Sent):
        return outcome
    reason = outcome.reason.removeprefix("slack: ")
    if reason in _WORDS:
        return Failed(_WORDS[reason].format(channel=channel, bot=bot))
    if reason.startswith("connection failed") or reason == "timed out":
        return Failed(f"cannot reach Slack at SLACK_API_URL: {reason}")
    return Failed(f"Slack answered: {reason}")
