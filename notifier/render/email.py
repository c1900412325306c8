"""Emails for notices: a threaded subject line, plain text and HTML parts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import EmailMessage

from notifier.notices import Notice, Reason
from notifier.render import facts as f
from notifier.render.console import render_console
from notifier.render.context import RenderContext
from notifier.render.escape import header, html_text, safe_url, terminal, truncate

MAX_SUBJECT = 200
MAX_HTML_VALUE = 20_000
DOMAIN = "twilio-alert-notifier"
# Notices that continue a group's conversation rather than start it.
_REPLIES = frozenset(
    {Reason.NEW_IN_GROUP, Reason.REPEAT, Reason.RESOLVED, Reason.REPLAY, Reason.JOINED}
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    message_id: str
    in_reply_to: str | None = None


def render_email(notice: Notice, ctx: RenderContext, subject_prefix: str = "") -> RenderedEmail:
    """The email for one notice; repeats reply to the group's first message so clients thread."""
    event = notice.event
    subject = subject_line(
        f"{subject_prefix} [{event.level}] {_subject_title(notice)} ({notice.route})"
    )
    group_id = group_message_id(notice.group_key)
    is_reply = notice.reason in _REPLIES
    return RenderedEmail(
        subject=subject,
        text=render_console(notice, ctx),
        html=render_html(notice, ctx),
        message_id=notice_message_id(notice) if is_reply else group_id,
        in_reply_to=group_id if is_reply else None,
    )


def subject_line(text: str) -> str:
    """One short header line; controls and bidi overrides from Twilio show as escapes."""
    return truncate(terminal(header(text)), MAX_SUBJECT)


def _subject_title(notice: Notice) -> str:
    event = notice.event
    return " ".join(p for p in (event.error_code, f.summary(event)) if p)


def group_message_id(group_key: str) -> str:
    digest = hashlib.sha256(group_key.encode()).hexdigest()[:32]
    return f"<group-{digest}@{DOMAIN}>"


def notice_message_id(notice: Notice) -> str:
    """Unique per notice, yet the same when one notice is rendered again for a retry."""
    key = "\0".join(
        (notice.group_key, notice.reason, notice.last_seen.isoformat(), str(notice.count))
    )
    return f"<notice-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{DOMAIN}>"


# Mail clients drop <style> blocks (Gmail among them) and ignore most layout CSS: every style is
# an inline attribute, the layout is a 600-pixel table, and long words wrap instead of widening it.
WIDTH = 600
FONT = "font-family:Helvetica,Arial,sans-serif;font-size:14px;line-height:20px;color:#172b4d;"
WRAP = "word-wrap:break-word;overflow-wrap:anywhere;word-break:break-word;"
STYLE = {
    "body": "margin:0;padding:0;background:#f4f5f7;",
    "card": f"width:100%;max-width:{WIDTH}px;background:#ffffff;border:1px solid #dfe1e6;"
    f"border-collapse:collapse;table-layout:fixed;{FONT}",
    "h2": f"margin:8px 0 12px;font-size:18px;line-height:24px;{WRAP}",
    "h3": "margin:16px 0 4px;font-size:14px;color:#44546f;",
    "table": "width:100%;border-collapse:collapse;table-layout:fixed;",
    "th": "width:120px;padding:4px 8px 4px 0;text-align:left;vertical-align:top;color:#44546f;",
    "td": f"padding:4px 0;vertical-align:top;{WRAP}",
    "pre": "margin:0;padding:8px;background:#f4f5f7;border:1px solid #dfe1e6;"
    "font-family:Menlo,Consolas,monospace;font-size:12px;line-height:16px;"
    # pre-wrap keeps the payload's lines; break-all cuts a long token such as a URL anywhere.
    "white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere;word-break:break-all;",
    "p": f"margin:16px 0 0;{WRAP}",
    "a": "color:#0c66e4;",
    "text": f"margin:0;white-space:pre-wrap;{WRAP}",
    "label": "margin:8px 0 2px;font-weight:bold;color:#44546f;",
    "ul": f"margin:0;padding:0 0 0 20px;{WRAP}",
}
# The level badge: white text on a colour that keeps a contrast ratio of 4.5 or more.
BADGE_COLOURS = {"error": "#c9372c", "warning": "#a54800", "info": "#0c66e4"}
OTHER_LEVEL_COLOUR = "#44546f"


def render_html(notice: Notice, ctx: RenderContext) -> str:
    """The first notice in full; a reply in its thread is its title and one line."""
    event = notice.event
    follow_up = f.follow_up(notice, ctx)
    if follow_up is not None:
        body = [paragraph(_html_value(follow_up))]
    else:
        body = [
            _facts_table(f.facts(notice, ctx)),
            *(_detail(detail) for detail in f.details(event)),
            *_advice(f.advice(event, ctx)),
        ]
    blocks = [
        _level_badge(event.level),
        f"<h2 style='{STYLE['h2']}'>{_html_value(_subject_title(notice))}</h2>",
        *body,
        paragraph(" | ".join(anchor(label, url) for label, url in f.links(event))),
    ]
    return html_page(blocks, accent=level_colour(event.level))


def level_colour(level: str) -> str:
    return BADGE_COLOURS.get(level, OTHER_LEVEL_COLOUR)


def _advice(advice: f.Advice | None) -> list[str]:
    """What to try: the catalog's possible causes and solutions as lists, and the docs link."""
    if advice is None:
        return []
    lists = [
        f"<p style='{STYLE['label']}'>{label}</p><ul style='{STYLE['ul']}'>"
        + "".join(f"<li>{_html_value(item)}</li>" for item in items)
        + "</ul>"
        for label, items in (
            ("Possible causes", advice.causes),
            ("Possible solutions", advice.solutions),
        )
        if items
    ]
    more = paragraph(anchor("More in Twilio's docs for this error", advice.docs))
    return [f"<h3 style='{STYLE['h3']}'>What to try</h3>", *lists, more]


def html_page(blocks: list[str], accent: str = OTHER_LEVEL_COLOUR) -> str:
    """A whole HTML part: `blocks` (already escaped) in a centred card 600 pixels wide, with a
    bar of the `accent` colour (the level's) along its top."""
    body = "\n".join(blocks)
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'></head>"
        f"<body style='{STYLE['body']}'>"
        "<table role='presentation' width='100%' cellpadding='0' cellspacing='0' border='0'>"
        f"<tr><td align='center' style='padding:16px 8px;{WRAP}'>"
        f"<table role='presentation' width='{WIDTH}' cellpadding='0' cellspacing='0' border='0' "
        f"style='{STYLE['card']}border-top:6px solid {accent};'>"
        f"<tr><td style='padding:16px 20px;{WRAP}'>\n{body}\n"
        "</td></tr></table></td></tr></table></body></html>\n"
    )


def _level_badge(level: str) -> str:
    colour = level_colour(level)
    style = (
        f"display:inline-block;padding:2px 8px;border-radius:3px;background:{colour};"
        "color:#ffffff;font-size:12px;font-weight:bold;letter-spacing:1px;"
    )
    return f"<span style='{style}'>{_html_value(level.upper())}</span>"


def _facts_table(rows: list[tuple[str, str]]) -> str:
    """Label and value rows; both are escaped here."""
    cells = "".join(
        f"<tr><th style='{STYLE['th']}'>{_html_value(label)}</th>"
        f"<td style='{STYLE['td']}'>{_html_value(value)}</td></tr>"
        for label, value in rows
    )
    return f"<table role='presentation' style='{STYLE['table']}'>{cells}</table>"


def paragraph(html: str) -> str:
    return f"<p style='{STYLE['p']}'>{html}</p>"


def _html_value(text: str) -> str:
    """Text from Twilio as HTML: controls and bidi overrides shown as escapes, then escaped."""
    plain = truncate(text.replace("\r\n", "\n"), MAX_HTML_VALUE)
    return html_text(terminal(plain, keep_newlines=True))


def _detail(detail: f.Detail) -> str:
    """A request or response as sent, in a <pre>; a message as wrapping text."""
    heading = f"<h3 style='{STYLE['h3']}'>{_html_value(detail.label)}</h3>"
    tag, style = ("pre", STYLE["pre"]) if detail.code else ("p", STYLE["text"])
    return f"{heading}<{tag} style='{style}'>{_html_value(detail.text)}</{tag}>"


def anchor(label: str, url: str) -> str:
    return f"<a href='{html_text(safe_url(url))}' style='{STYLE['a']}'>{_html_value(label)}</a>"


def build_message(rendered: RenderedEmail, sender: str, to: list[str]) -> EmailMessage:
    """A multipart/alternative message with the threading headers mail clients follow."""
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = header(sender)
    message["To"] = ", ".join(header(address) for address in to)
    message["Message-ID"] = rendered.message_id
    if rendered.in_reply_to:
        message["In-Reply-To"] = rendered.in_reply_to
        message["References"] = rendered.in_reply_to
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
