"""Block Kit messages for Slack (Web API and incoming webhooks)."""

from __future__ import annotations

from typing import Any

from notifier.notices import Notice, Reason
from notifier.render import facts as f
from notifier.render.context import RenderContext, reason_text
from notifier.render.escape import (
    marker,
    mrkdwn,
    mrkdwn_truncated,
    safe_url,
    truncate,
    unescape_mrkdwn,
)
from notifier.render.slack_buttons import group_blocks

# https://api.slack.com/reference/block-kit/blocks
MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_SECTION = 3000
MAX_FIELDS = 10
MAX_FIELD = 2000
MAX_FALLBACK = 3000
# https://api.slack.com/reference/block-kit/block-elements#button
MAX_BUTTON_TEXT = 75
MAX_BUTTON_URL = 3000
# https://api.slack.com/methods/chat.postMessage#truncating: longer text is refused or cut.
MAX_TEXT = 40_000
MAX_STORM_GROUPS = 15
MAX_ADVICE_ITEM = 400
# Severity at a glance, before the title (the header's emoji are on).
LEVEL_EMOJI: dict[str, str] = {
    "error": ":red_circle:",
    "warning": ":large_orange_circle:",
    "info": ":large_blue_circle:",
}
OTHER_LEVEL_EMOJI = ":white_circle:"
# A thread reply, and the group message once resolved, say what happened before the title.
FOLLOW_UP_EMOJI: dict[Reason, str] = {
    Reason.REPEAT: ":repeat:",
    Reason.RESOLVED: ":white_check_mark:",
}

Block = dict[str, Any]


def render_slack(notice: Notice, ctx: RenderContext) -> dict[str, Any]:
    """The message for one notice: `{"text": fallback, "blocks": [...]}`. It is the group's
    message (posted, or edited in place); `thread_reply` makes the short reply from it."""
    event = notice.event
    blocks = [
        header_block(f"{_header_emoji(notice)} {f.title(event)}"),
        context_block(mrkdwn_truncated(f.status_line(notice, ctx), MAX_SECTION)),
        *field_blocks(f.facts(notice, ctx)),
        *(section(d.label, d.text, code=d.code) for d in f.details(event)),
        *_advice_blocks(f.advice(event, ctx)),
        *_optional_actions(f.links(event)),
    ]
    if ctx.interactive and notice.reason in INTERACTIVE:
        # Room for the buttons and the line that says who did what, once someone acts.
        offered = group_blocks(notice.group_key, acknowledged=notice.acknowledged)
        blocks = [*blocks[: MAX_BLOCKS - 2], *offered]
    return {"text": fallback_text(notice, ctx), "blocks": blocks[:MAX_BLOCKS]}


# The notices that post or refresh a group's live message: it offers Silence and Acknowledge
# (with SLACK_SIGNING_SECRET set). A resolved group, a replay and a digest offer nothing to do.
INTERACTIVE = frozenset({Reason.FIRST, Reason.THRESHOLD, Reason.NEW_IN_GROUP, Reason.REPEAT})


def fallback_text(notice: Notice, ctx: RenderContext) -> str:
    """The notification text; for a repeat or resolved notice, also its whole thread reply."""
    title = mrkdwn_truncated(f.title(notice.event), MAX_HEADER)
    follow_up = f.follow_up(notice, ctx) if notice.reason in THREAD_REPLIES else None
    if follow_up is None:
        return f"{title} ({mrkdwn_truncated(reason_text(notice, ctx), MAX_SECTION)})"
    emoji = FOLLOW_UP_EMOJI[notice.reason]
    return f"{emoji} *{title}*\n{mrkdwn_truncated(follow_up, MAX_SECTION)}"


# Notices posted into the group message's thread (notifier/delivery/slack_api_channel.py).
THREAD_REPLIES = frozenset(FOLLOW_UP_EMOJI)


def thread_reply(payload: dict[str, Any]) -> dict[str, Any]:
    """The one- or two-line reply for the group message's thread (what changed, counts, since
    when), from the payload of a repeat or resolved notice; its blocks stay for the edit."""
    return {"text": payload["text"]}


def level_emoji(level: str) -> str:
    return LEVEL_EMOJI.get(level, OTHER_LEVEL_EMOJI)


def _header_emoji(notice: Notice) -> str:
    if notice.reason is Reason.RESOLVED:
        return FOLLOW_UP_EMOJI[Reason.RESOLVED]
    return level_emoji(notice.event.level)


def context_block(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _advice_blocks(advice: f.Advice | None) -> list[Block]:
    """What to try, from Twilio's catalog: its possible causes and solutions as bullets."""
    if advice is None:
        return []
    lines = ["*What to try* (from Twilio's error docs)"]
    for label, items in (
        ("Possible causes", advice.causes),
        ("Possible solutions", advice.solutions),
    ):
        if items:
            lines.append(f"_{label}_")
            lines += [f"• {mrkdwn_truncated(item, MAX_ADVICE_ITEM)}" for item in items]
    lines.append(f"More: {mrkdwn(safe_url(advice.docs))}")
    return [{"type": "section", "text": {"type": "mrkdwn", "text": fit("\n".join(lines))}}]


def plain_version(payload: dict[str, Any]) -> dict[str, Any]:
    """The same message as text alone, for when Slack still refuses its blocks."""
    lines = [str(payload.get("text", ""))]
    lines += [text for block in payload.get("blocks", []) for text in _block_lines(block)]
    return {"text": fit("\n".join(line for line in lines if line), MAX_TEXT)}


def _block_lines(block: Block) -> list[str]:
    """The text of a block as mrkdwn lines; buttons become `label: url`."""
    texts = [block["text"]] if isinstance(block.get("text"), dict) else []
    texts += block.get("fields", [])
    elements = block.get("elements", [])
    lines = [item["text"] for item in texts + elements if isinstance(item.get("text"), str)]
    return lines + [
        mrkdwn(f"{item['text']['text']}: {item['url']}") for item in elements if "url" in item
    ]


def fit(text: str, limit: int = MAX_SECTION) -> str:
    """Whole lines of already escaped mrkdwn up to `limit`, then a visible marker: an entity
    such as `&amp;` is never cut in half."""
    if len(text) <= limit:
        return text
    kept: list[str] = []
    room = limit - len(marker(len(text))) - 1
    for line in text.split("\n"):
        if len(line) + 1 > room:
            break
        kept.append(line)
        room -= len(line) + 1
    shown = len(unescape_mrkdwn("\n".join(kept)))
    return "\n".join([*kept, marker(len(unescape_mrkdwn(text)) - shown)])


def header_block(text: str) -> Block:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": mrkdwn_truncated(text, MAX_HEADER), "emoji": True},
    }


def field_blocks(rows: list[f.Fact]) -> list[Block]:
    """Sections of at most ten `*Label*\\nvalue` fields each."""
    return [
        {"type": "section", "fields": [_field(label, value) for label, value in chunk]}
        for chunk in (rows[i : i + MAX_FIELDS] for i in range(0, len(rows), MAX_FIELDS))
    ]


def _field(label: str, value: str) -> Block:
    prefix = f"*{label}*\n"
    return {"type": "mrkdwn", "text": prefix + mrkdwn_truncated(value, MAX_FIELD - len(prefix))}


def section(label: str, text: str, *, code: bool) -> Block:
    prefix = f"*{label}*\n"
    if code:
        fence = "```"
        room = MAX_SECTION - len(prefix) - 2 * len(fence)
        # A fence inside the payload would end our code block early.
        body = fence + mrkdwn_truncated(text.replace(fence, "`\u200b``"), room) + fence
    else:
        body = mrkdwn_truncated(text, MAX_SECTION - len(prefix))
    return {"type": "section", "text": {"type": "mrkdwn", "text": prefix + body}}


def actions_block(links: list[f.Fact]) -> Block:
    """Buttons; one whose URL would pass Slack's limit is left out (a cut URL leads nowhere)."""
    urls = [(label, safe_url(url)) for label, url in links]
    buttons = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": truncate(label, MAX_BUTTON_TEXT)},
            "url": url,
        }
        for label, url in urls
        if len(url) <= MAX_BUTTON_URL
    ]
    return {"type": "actions", "elements": buttons}


def _optional_actions(links: list[f.Fact]) -> list[Block]:
    # Slack refuses an actions block without elements.
    block = actions_block(links)
    return [block] if block["elements"] else []


def render_storm_summary(channel: str, notices: list[Notice]) -> dict[str, Any]:
    """One message folding the notices pending for one channel during a storm."""
    latest = {notice.group_key: notice for notice in notices}
    headline = f"Storm: {len(notices)} alerts for {len(latest)} groups folded"
    busiest = sorted(latest.values(), key=lambda notice: notice.count, reverse=True)
    lines = [_storm_line(notice) for notice in busiest[:MAX_STORM_GROUPS]]
    if len(latest) > MAX_STORM_GROUPS:
        lines.append(f"…and {len(latest) - MAX_STORM_GROUPS} more groups")
    summary = f"Pending alerts for {mrkdwn_truncated(channel, 200)} were folded into this message."
    return {
        "text": mrkdwn_truncated(headline, MAX_FALLBACK),
        "blocks": [
            header_block(headline),
            {"type": "section", "text": {"type": "mrkdwn", "text": summary}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": mrkdwn_truncated("\n".join(lines), MAX_SECTION)},
            },
        ],
    }


def _storm_line(notice: Notice) -> str:
    return f"• {f.title(notice.event)} ({notice.route}): {notice.count} events"
