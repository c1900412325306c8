"""What a failed Slack check (`slack test`, `doctor --send-test`) means, in words."""

from __future__ import annotations

from notifier.delivery.channel import Checked
from notifier.delivery.outcome import Failed, Refusal, SendResult, Sent

_WORDS = {
    Refusal.INVALID_AUTH: "Slack rejected the token (invalid_auth): check SLACK_BOT_TOKEN",
    Refusal.NOT_AUTHED: "Slack received no token (not_authed)",
    Refusal.TOKEN_REVOKED: (
        "the token was revoked (token_revoked): reinstall the app for a new one"
    ),
    Refusal.ACCOUNT_INACTIVE: "the token's app or user is deactivated (account_inactive)",
    Refusal.NOT_IN_CHANNEL: "the bot is not in {channel}: invite it with /invite @{bot}",
    Refusal.CHANNEL_NOT_FOUND: (
        "channel_not_found: {channel} does not exist or is private without the bot "
        "(check the name, or invite the bot)"
    ),
    Refusal.IS_ARCHIVED: "{channel} is archived (is_archived)",
    Refusal.MISSING_SCOPE: "the token lacks the chat:write scope (missing_scope)",
    Refusal.RATELIMITED: "Slack is rate limiting this app (ratelimited): try again in a minute",
    Refusal.NO_ANSWER: "cannot reach Slack at SLACK_API_URL: {reason}",
    Refusal.NOT_CONFIGURED: "{reason}",
}


def explain(checked: Checked) -> str:
    """Why a Slack self-check failed, in the words of someone setting the bot up."""
    outcome: SendResult = checked.outcome
    assert not isinstance(outcome, Sent)
    words = _WORDS.get(outcome.refusal) if outcome.refusal else None
    if words is not None:
        bot = checked.who or "yourbot"
        return words.format(channel=checked.where, bot=bot, reason=outcome.reason)
    if checked.who is None or (isinstance(outcome, Failed) and outcome.code is None):
        return outcome.reason  # a webhook's answer, as it gave it (its URL redacted)
    return f"Slack answered: {outcome.code}"
