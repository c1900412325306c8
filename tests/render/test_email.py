import hashlib
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from fakes.events import make_event
from fakes.notices import make_notice

from notifier.digest.build import CodeLine, DigestReport
from notifier.digest.email import render_digest_email
from notifier.notices import Notice, Reason
from notifier.render.context import RenderContext
from notifier.render.email import build_message, render_email

AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
GROUP_ID = f"<group-{hashlib.sha256(b'webhooks|11200').hexdigest()[:32]}@twilio-alert-notifier>"


def test_subject_has_prefix_level_code_message_and_route() -> None:
    rendered = render_email(make_notice(), RenderContext(), "[twilio]")
    assert rendered.subject == "[twilio] [error] 11200 HTTP retrieval failure (webhooks)"


def test_subject_drops_cr_lf_nul_and_stays_short() -> None:
    event = make_event(error_message="Bad\r\nBcc: victim@example.com\0" + "x" * 500)
    subject = render_email(make_notice(event=event), RenderContext()).subject
    assert not set(subject) & {"\r", "\n", "\0"}
    assert len(subject) == 200 and subject.endswith("…(truncated, 385 more characters)")


@pytest.mark.parametrize(
    ("reason", "threaded"),
    [
        (Reason.FIRST, False),
        (Reason.THRESHOLD, False),
        (Reason.NEW_IN_GROUP, True),
        (Reason.REPEAT, True),
        (Reason.RESOLVED, True),
        (Reason.REPLAY, True),
    ],
    ids=[
        "first-starts-thread",
        "threshold-starts-thread",
        "new-in-group-replies",
        "repeat-replies",
        "resolved-replies",
        "replay-replies",
    ],
)
def test_later_notices_reply_to_the_groups_stable_message_id(
    reason: Reason, threaded: bool
) -> None:
    rendered = render_email(make_notice(reason=reason), RenderContext())
    if threaded:
        assert rendered.in_reply_to == GROUP_ID and rendered.message_id != GROUP_ID
    else:
        assert (rendered.message_id, rendered.in_reply_to) == (GROUP_ID, None)


def test_each_repeat_gets_its_own_message_id() -> None:
    ids = {render_email(make_notice(reason=Reason.REPEAT, count=n), RenderContext()).message_id
           for n in range(5)}  # fmt: skip
    assert len(ids) == 5


def test_html_part_escapes_payload_markup() -> None:
    event = make_event(message="<script>alert(1)</script>", resource_sid="CA1'><img>")
    html = render_email(make_notice(event=event), RenderContext()).html
    assert "<script>" not in html and "&lt;script&gt;" in html and "<img>" not in html


def test_built_message_has_text_and_html_alternatives_and_threading_headers() -> None:
    rendered = render_email(make_notice(reason=Reason.REPEAT), RenderContext())
    message = build_message(rendered, "bot@example.com", ["a@example.com", "b@example.com"])
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert message["To"] == "a@example.com, b@example.com"
    assert message["In-Reply-To"] == message["References"] == GROUP_ID
    assert message["Message-ID"] == rendered.message_id


HOSTILE = "<script>alert(1)</script> <!channel> ' \" & \x1b[31m\x9b \u202eevil"
LONG_URL = "https://api.example.com/" + "segment/" * 40


class Tags(HTMLParser):
    """Every start tag of an HTML part with its attributes, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        self.text += data

    def styles(self, tag: str) -> list[str]:
        return [attrs.get("style", "") for name, attrs in self.tags if name == tag]


def hostile_notice(level: str = "error") -> Notice:
    event = make_event(
        level=level, error_message=HOSTILE, message=HOSTILE, url=LONG_URL, response_body=HOSTILE
    )
    return make_notice(event=event, route=HOSTILE)


def test_html_part_is_styled_inline_in_a_card_600_pixels_wide() -> None:
    html = render_email(hostile_notice(), RenderContext()).html
    parsed = Tags(html)
    assert "<style" not in html and "class=" not in html
    assert ("table", "600") in [(tag, attrs.get("width")) for tag, attrs in parsed.tags]
    assert any("max-width:600px" in style for style in parsed.styles("table"))
    for tag in ("h2", "h3", "th", "td", "pre", "p", "a", "span"):
        assert parsed.styles(tag) and all(parsed.styles(tag)), tag
    for style in parsed.styles("pre"):
        assert "white-space:pre-wrap" in style and "word-break:break-all" in style
    assert all("overflow-wrap:anywhere" in style for style in parsed.styles("td"))


@pytest.mark.parametrize(
    ("level", "colour"),
    [("error", "#c9372c"), ("warning", "#a54800"), ("info", "#0c66e4"), ("debug", "#44546f")],
    ids=["error-red", "warning-orange", "info-blue", "other-levels-grey"],
)
def test_level_badge_is_coloured_by_level(level: str, colour: str) -> None:
    parsed = Tags(render_email(hostile_notice(level), RenderContext()).html)
    [badge] = parsed.styles("span")
    assert f"background:{colour}" in badge and "color:#ffffff" in badge
    assert level.upper() in parsed.text


def test_html_part_escapes_everything_from_twilio() -> None:
    parsed = Tags(render_email(hostile_notice(), RenderContext()).html)
    allowed = {"html", "head", "meta", "body", "table", "tr", "th", "td", "span", "h2", "h3",
               "pre", "p", "a", "ul", "li"}  # fmt: skip
    assert {tag for tag, _ in parsed.tags} <= allowed
    shown = "<script>alert(1)</script> <!channel> ' \" & \\x1b[31m\\x9b \\u202eevil"
    assert parsed.text.count(shown) == 4  # title, route, message, response
    assert not {"\x1b", "\x9b", "\u202e"} & set(parsed.text)


def test_subject_shows_controls_and_bidi_overrides_as_escapes() -> None:
    event = make_event(error_message="Bad \x1b[2J\u202eevil")
    subject = render_email(make_notice(event=event), RenderContext()).subject
    assert subject == "[error] 11200 Bad \\x1b[2J\\u202eevil (webhooks)"


def test_digest_html_part_is_styled_inline_and_escaped_too() -> None:
    code = CodeLine("11200", 3, 1, AT, AT, True, HOSTILE, top_resources=((LONG_URL, 3),))
    report = DigestReport("morning", AT, AT, total=3, codes=(code,), new_codes=("11200",))
    html = render_digest_email(report, RenderContext()).html
    parsed = Tags(html)
    assert "<style" not in html and "<script>" not in html
    assert ("table", "600") in [(tag, attrs.get("width")) for tag, attrs in parsed.tags]
    assert all(parsed.styles("td")) and all(parsed.styles("th"))
    assert all("table-layout:fixed" in style for style in parsed.styles("table")[2:])
    assert "\\x1b[31m\\x9b \\u202eevil" in parsed.text and "\u202e" not in parsed.text


def test_first_email_lists_what_to_try_with_the_docs_link() -> None:
    parsed = Tags(render_email(make_notice(), RenderContext()).html)
    assert [name for name, _ in parsed.tags].count("li") == 6
    assert "What to try\nPossible causesWeb server returned a 4xx or 5xx" in parsed.text
    hrefs = [attrs["href"] for name, attrs in parsed.tags if name == "a"]
    assert "https://www.twilio.com/docs/api/errors/11200" in hrefs


@pytest.mark.parametrize("reason", [Reason.REPEAT, Reason.RESOLVED, Reason.NEW_IN_GROUP])
def test_a_reply_email_is_its_title_and_one_line(reason: Reason) -> None:
    rendered = render_email(make_notice(reason=reason, count=3), RenderContext())
    assert len(rendered.text.splitlines()) == 2
    parsed = Tags(rendered.html)
    assert "li" not in [name for name, _ in parsed.tags] and "3 in all" in parsed.text


@pytest.mark.parametrize(("level", "colour"), [("error", "#c9372c"), ("warning", "#a54800")])
def test_the_card_has_a_bar_in_the_levels_colour(level: str, colour: str) -> None:
    parsed = Tags(render_email(make_notice(event=make_event(level=level)), RenderContext()).html)
    assert any(f"border-top:6px solid {colour}" in style for style in parsed.styles("table"))
