"""Escaping and truncation for text that came from Twilio or a user."""

from __future__ import annotations

import html
from urllib.parse import quote

TRUNCATED = "…(truncated)"  # the marker's shortest form, when even the count does not fit


def marker(omitted: int) -> str:
    """`…(truncated, 1,234 more characters)`: what was cut, and how much."""
    return f"…(truncated, {omitted:,} more character{'' if omitted == 1 else 's'})"


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
    """`text` unchanged if it fits in `limit` characters, else cut with a visible marker that
    says how many characters were left out."""
    if len(text) <= limit:
        return text
    room = limit - len(marker(len(text)))
    if room < 0:
        return TRUNCATED[:limit]
    return text[:room] + marker(len(text) - room)


def mrkdwn_truncated(text: str, limit: int) -> str:
    """Escape, then truncate without leaving half an entity such as `&am`; the marker counts
    the characters of `text` (as Twilio sent it) that were left out."""
    escaped = mrkdwn(text)
    if len(escaped) <= limit:
        return escaped
    room = limit - len(marker(len(text)))
    if room < 0:
        return TRUNCATED[:limit]
    head = escaped[:room]
    amp = head.rfind("&", -_LONGEST_ENTITY)
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    return head + marker(len(text) - len(unescape_mrkdwn(head)))


def unescape_mrkdwn(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def safe_url(url: str) -> str:
    """Percent-encode what a URL built from Twilio SIDs must not contain (`|`, `>`, spaces)."""
    return quote(url, safe=":/?#=&%-._~")


# What a terminal obeys rather than shows: C0 controls (ESC starts colour, title and cursor
# sequences; BEL rings), DEL, C1 controls (U+009B is a one-character CSI) and Unicode's
# Bidi_Control characters, which reorder what the user reads (U+202E "Trojan Source").
_C0_C1 = (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_TERMINAL = {
    **{code: f"\\x{code:02x}" for code in _C0_C1},
    **{ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"},
    **{code: f"\\u{code:04x}" for code in _BIDI},
}
_TERMINAL_BLOCK = {code: text for code, text in _TERMINAL.items() if code != ord("\n")}


def terminal(text: str, *, keep_newlines: bool = False) -> str:
    """Text safe to print: every control and bidi character shows as an escape such as `\\x1b`
    or `\\u202e`; newlines stay only in a block that is meant to span lines."""
    return text.translate(_TERMINAL_BLOCK if keep_newlines else _TERMINAL)
