"""Emails for notices: a threaded subject line, plain text and HTML parts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import EmailMessage

from notifier.notices import Notice, Reason
from notifier.render import facts as f
from notifier.render.console import render_console
from notifier.render.context import RenderContext
from notifier.render.escape import header, html_text, safe_url, truncate

MAX_SUBJECT = 200
MAX_HTML_VALUE = 20_000
DOMAIN = "twilio-alert-notifier"
# Notices that continue a group's conversation rather than start it.
_REPLIES = frozenset({Reason.NEW_IN_GROUP, Reason.REPEAT, Reason.RESOLVED, Reason.REPLAY})


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
    subject = f"{subject_prefix} [{event.level}] {_subject_title(notice)} ({notice.route})"
    group_id = group_message_id(notice.group_key)
    is_reply = notice.reason in _REPLIES
    return RenderedEmail(
        subject=truncate(header(subject), MAX_SUBJECT),
        text=render_console(notice, ctx),
        html=render_html(notice, ctx),
        message_id=notice_message_id(notice) if is_reply else group_id,
        in_reply_to=group_id if is_reply else None,
    )


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


def render_html(notice: Notice, ctx: RenderContext) -> str:
    event = notice.event
    rows = "".join(
        f"<tr><th align='left'>{html_text(k)}</th><td>{_html_value(v)}</td></tr>"
        for k, v in f.facts(notice, ctx)
    )
    blocks = [
        f"<h2>{_html_value(f.title(event))}</h2>",
        f"<table>{rows}</table>",
        *_pre("Message", event.message),
        *_pre("Request", f.request_line(event)),
        *_pre("Response", f.response_text(event)),
        "<p>" + " | ".join(_anchor(label, url) for label, url in f.links(event)) + "</p>",
    ]
    return "<html><body>" + "\n".join(blocks) + "</body></html>\n"


def _html_value(text: str) -> str:
    return html_text(truncate(text, MAX_HTML_VALUE))


def _pre(label: str, text: str | None) -> list[str]:
    return [f"<h3>{label}</h3><pre>{_html_value(text)}</pre>"] if text else []


def _anchor(label: str, url: str) -> str:
    return f"<a href='{html_text(safe_url(url))}'>{html_text(label)}</a>"


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
