"""Escaping and truncation for text that came from Twilio or a user."""

from __future__ import annotations

import html
from urllib.parse import quote

TRUNCATED = "…(truncated)"

_MRKDWN = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_HEADER = str.maketrans({"\r": " ", "\n": " ", "\0": None})
_LONGEST_ENTITY = len("&amp;")


def mrkdwn(text: str) -> str:
    """Escape the three characters Slack parses, so `<!channel>` pings no one."""
    return text.translate(_MRKDWN)


def html_text(text: str) -> str:
    return html.escape(text, quote=True)


def header(text: str) -> str:
    """One line fit for an email header: CR and LF become spaces, NUL disappears."""
    return " ".join(text.translate(_HEADER).split())


def truncate(text: str, limit: int) -> str:
    """`text` unchanged if it fits in `limit` characters, else cut with a visible marker."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(TRUNCATED), 0)] + TRUNCATED[:limit]


def mrkdwn_truncated(text: str, limit: int) -> str:
    """Escape, then truncate without leaving half an entity such as `&am`."""
    escaped = mrkdwn(text)
    if len(escaped) <= limit:
        return escaped
    head = escaped[: max(limit - len(TRUNCATED), 0)]
    amp = head.rfind("&", -_LONGEST_ENTITY)
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    return head + TRUNCATED[:limit]


def safe_url(url: str) -> str:
    """Percent-encode what a URL built from Twilio SIDs must not contain (`|`, `>`, spaces)."""
    return quote(url, safe=":/?#=&%-._~")


_CONTROL = {c: "?" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F)}


def printable(text: str) -> str:
    """Text safe for a terminal: control characters (ANSI escapes, CR, NUL) become `?`."""
    return text.translate(_CONTROL)
