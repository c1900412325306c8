import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.render.escape import (
    TRUNCATED,
    header,
    marker,
    mrkdwn,
    mrkdwn_truncated,
    terminal,
    truncate,
)


def unescape_slack(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@given(st.text())
def test_mrkdwn_leaves_no_angle_brackets_and_round_trips(text: str) -> None:
    escaped = mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped
    assert unescape_slack(escaped) == text


MARKER = re.compile(r"…\(truncated, ([\d,]+) more characters?\)$")


def omitted(cut: str) -> int | None:
    found = MARKER.search(cut)
    return int(found.group(1).replace(",", "")) if found else None


@given(st.text(), st.integers(min_value=0, max_value=300))
def test_truncate_fits_the_limit_and_says_how_much_was_cut(text: str, limit: int) -> None:
    cut = truncate(text, limit)
    assert len(cut) <= limit
    if cut != text and cut != TRUNCATED[:limit]:
        body = MARKER.sub("", cut)
        assert text.startswith(body) and omitted(cut) == len(text) - len(body)


@pytest.mark.parametrize(
    ("text", "limit", "cut"),
    [("x" * 100, 50, "x" * 17 + "…(truncated, 83 more characters)"),
     ("x" * 100, 100, "x" * 100), ("x" * 100, 5, "…(tru")],
    ids=["long-text-says-how-much-is-left-out", "text-that-fits-is-kept",
         "no-room-for-the-count-keeps-the-short-marker"],
)  # fmt: skip
def test_truncation_marker_counts_the_characters_left_out(text: str, limit: int, cut: str) -> None:
    assert truncate(text, limit) == cut


@given(
    st.text(alphabet="<>&a!", max_size=400), st.integers(min_value=len(marker(400)), max_value=300)
)
def test_escaped_truncation_never_splits_an_entity(text: str, limit: int) -> None:
    cut = mrkdwn_truncated(text, limit)
    assert len(cut) <= limit and "<" not in cut
    body = unescape_slack(MARKER.sub("", cut))
    assert text.startswith(body)
    assert cut == mrkdwn(text) or omitted(cut) == len(text) - len(body)


@given(st.text())
def test_header_text_has_no_line_breaks_or_nul(text: str) -> None:
    assert not set(header(text)) & {"\r", "\n", "\0"}


CONTROLS = frozenset(
    chr(code)
    for code in (*range(0x20), 0x7F, *range(0x80, 0xA0), 0x061C, 0x200E, 0x200F,
                 *range(0x202A, 0x202F), *range(0x2066, 0x206A))
)  # fmt: skip
# Any text, with the characters a terminal obeys drawn often; backslashes are left as they are
# (Windows paths and JSON stay readable), so the round trip is checked on text without them.
HOSTILE_TEXT = st.text(
    st.one_of(st.sampled_from(sorted(CONTROLS)), st.characters(exclude_characters="\\"))
)
NAMED = {"t": "\t", "n": "\n", "r": "\r"}


def unescape_terminal(text: str) -> str:
    def original(found: re.Match[str]) -> str:
        code = found.group(1)
        return NAMED[code] if code in NAMED else chr(int(code[1:], 16))

    return re.sub(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[tnr])", original, text)


@given(HOSTILE_TEXT)
def test_terminal_text_has_no_control_or_bidi_character_and_reads_back(text: str) -> None:
    shown = terminal(text)
    assert not set(shown) & CONTROLS
    assert unescape_terminal(shown) == text


@given(HOSTILE_TEXT)
def test_a_terminal_block_keeps_its_newlines_and_nothing_else(text: str) -> None:
    shown = terminal(text, keep_newlines=True)
    assert not set(shown) & (CONTROLS - {"\n"})
    assert shown.split("\n") == [terminal(line) for line in text.split("\n")]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J\x07", "\\x1b[2J\\x07"),
        ("\x9b31m", "\\x9b31m"),
        ("a\x7fb\x00", "a\\x7fb\\x00"),
        ("tab\there\r\n", "tab\\there\\r\\n"),
        ("\u202eevil\u202c \u2066x\u2069 \u200f", "\\u202eevil\\u202c \\u2066x\\u2069 \\u200f"),
        ("C:\\temp é 日本 🙂", "C:\\temp é 日本 🙂"),
    ],
    ids=["esc-and-bel", "c1-csi", "del-and-nul", "tab-cr-lf-by-name", "bidi-overrides-and-isolates",
         "printable-text-untouched"],
)  # fmt: skip
def test_terminal_shows_each_control_as_a_visible_escape(text: str, shown: str) -> None:
    assert terminal(text) == shown
