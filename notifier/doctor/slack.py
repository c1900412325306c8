"""Slack through the Web API (the token, its scopes, each channel and the bot's membership)
and incoming webhooks (the URL's form; posting is `--send-test`'s)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.web.async_client import AsyncWebClient

from notifier.addresses import is_loopback
from notifier.delivery.channel import Checked
from notifier.delivery.explain import explain
from notifier.delivery.outcome import Refusal
from notifier.delivery.slack_web_api import Identity, conversation, identity, make_client
from notifier.delivery.transports import Transports
from notifier.doctor.report import Finding, ok, problem, skipped, warning
from notifier.rules.model import Rules, SlackApiConfig, SlackWebhookConfig

# The bot scopes of slack-app.yaml, and what goes wrong without each.
REQUIRED_SCOPES = ("chat:write",)
LOOKUP_SCOPES = ("channels:read", "groups:read")
HISTORY_SCOPES = ("channels:history", "groups:history")
# Posts to public channels the bot is not in (https://api.slack.com/scopes/chat:write.public).
PUBLIC_POST_SCOPE = "chat:write.public"
_ADD_SCOPES = (
    "add them at api.slack.com/apps > your app > OAuth & Permissions > Bot Token Scopes "
    "(slack-app.yaml lists them all), reinstall the app, and update SLACK_BOT_TOKEN"
)
_SET_TOKEN = (
    "set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-...) at api.slack.com/apps > "
    "your app > OAuth & Permissions (reinstall the app if it was revoked)"
)
_WEBHOOK_HOST = "hooks.slack.com"


def api_channels(rules: Rules) -> list[str]:
    """Each channel posted to with the bot token, once, in the order the rules name them."""
    configs = (c for r in rules.receivers.values() for c in r.channels)
    return list(dict.fromkeys(c.channel for c in configs if isinstance(c, SlackApiConfig)))


async def web_api(rules: Rules, transports: Transports) -> list[Finding]:
    channels = api_channels(rules)
    if not channels:
        return [skipped("slack token", "no receiver posts with the bot token")]
    settings = transports.settings
    if not settings.slack_bot_token:
        detail = f"SLACK_BOT_TOKEN is not set; it posts to {', '.join(channels)}"
        return [problem("slack token", detail, _SET_TOKEN)]
    client = make_client(settings.slack_bot_token, transports.http.get(), settings.slack_api_url)
    who = await identity(client)
    if not isinstance(who, Identity):
        detail = explain(Checked(who, "", "yourbot"))
        return [problem("slack token", detail, _SET_TOKEN)]
    found = [ok("slack token", f"valid: the bot is @{who.user}"), *_scopes(who.scopes)]
    for channel in channels:
        found.append(await _channel(client, channel, who))
    return found


def _scopes(scopes: frozenset[str] | None) -> list[Finding]:
    name = "slack scopes"
    if scopes is None:
        detail = "Slack did not list the token's scopes (no X-OAuth-Scopes header)"
        return [warning(name, detail, "compare the app's scopes with slack-app.yaml")]
    missing = [s for s in REQUIRED_SCOPES if s not in scopes]
    if missing:
        detail = f"the token lacks {', '.join(missing)}: the bot cannot post"
        return [problem(name, detail, _ADD_SCOPES)]
    wanted = [s for s in (*LOOKUP_SCOPES, *HISTORY_SCOPES) if s not in scopes]
    if wanted:
        detail = (
            f"the token lacks {', '.join(wanted)}: without the read scopes doctor cannot "
            "check channels; without history, a post retried after a crash may show twice"
        )
        return [warning(name, detail, _ADD_SCOPES)]
    return [ok(name, f"{', '.join(REQUIRED_SCOPES + LOOKUP_SCOPES + HISTORY_SCOPES)} granted")]


async def _channel(client: AsyncWebClient, channel: str, who: Identity) -> Finding:
    name = f"slack channel {channel}"
    found = await conversation(client, channel)
    invite = f"invite the bot: type /invite @{who.user} in {channel}"
    if found is None:
        detail = f"no channel {channel} that the bot can see"
        fix = f"check the channel's name in the rules; if {channel} is private, {invite}"
        return problem(name, detail, fix)
    if not isinstance(found, Mapping):
        return _refused(name, channel, found.refusal, explain(Checked(found, channel, who.user)))
    return _membership(name, channel, found, who, invite)


def _refused(name: str, channel: str, refusal: Refusal | None, words: str) -> Finding:
    if refusal is Refusal.MISSING_SCOPE:
        lacking = " or ".join(LOOKUP_SCOPES)
        return skipped(name, f"the token lacks {lacking}, so {channel} cannot be looked up")
    if refusal is Refusal.CHANNEL_NOT_FOUND:
        fix = f"check the channel ID in the rules; if {channel} is private, invite the bot"
        return problem(name, f"Slack has no channel {channel} the bot can see", fix)
    return problem(name, words, "run `notifier doctor` again; if it persists, see the words")


def _membership(
    name: str, channel: str, found: Mapping[str, Any], who: Identity, invite: str
) -> Finding:
    where = f"{channel} ({found.get('id', '?')})"
    if found.get("is_archived"):
        fix = f"unarchive {channel}, or name another channel in the rules"
        return problem(name, f"{where} is archived", fix)
    if found.get("is_member"):
        return ok(name, f"{where} found, and @{who.user} is a member")
    detail = f"@{who.user} is not a member of {where}"
    if PUBLIC_POST_SCOPE in (who.scopes or ()) and not found.get("is_private"):
        return warning(name, detail + f": it posts with {PUBLIC_POST_SCOPE}", invite)
    return problem(name, detail + ": Slack refuses its posts (not_in_channel)", invite)


def webhooks(rules: Rules) -> list[Finding]:
    return [
        _webhook(f"slack webhook {receiver.name} ({config.key})", config.url)
        for receiver in rules.receivers.values()
        for config in receiver.channels
        if isinstance(config, SlackWebhookConfig)
    ]


def _webhook(name: str, url: str) -> Finding:
    """The URL's form only: its last part is a secret, never shown, and posting is what
    `--send-test` does (https://api.slack.com/messaging/webhooks)."""
    parts = urlsplit(url)
    shown = f"{parts.scheme}://{parts.hostname}/..."
    segments = [s for s in parts.path.split("/") if s]
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        return ok(name, f"{shown}: a loopback URL (a test server), not posted to")
    slack_form = len(segments) == 4 and segments[0] == "services"
    if parts.scheme == "https" and parts.hostname == _WEBHOOK_HOST and slack_form:
        return ok(name, f"https://{_WEBHOOK_HOST}/services/...: well-formed, not posted to")
    detail = f"{shown} is not a Slack incoming webhook (https://{_WEBHOOK_HOST}/services/...)"
    fix = "copy the Webhook URL from api.slack.com/apps > your app > Incoming Webhooks"
    return problem(name, detail, fix)
