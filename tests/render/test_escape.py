from hypothesis import given
from hypothesis import strategies as st

from notifier.render.escape import TRUNCATED, header, mrkdwn, mrkdwn_truncated, truncate


def unescape_slack(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@given(st.text())
def test_mrkdwn_leaves_no_angle_brackets_and_round_trips(text: str) -> None:
    escaped = mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped
    assert unescape_slack(escaped) == text


@given(st.text(), st.integers(min_value=0, max_value=300))
def test_truncate_fits_the_limit_and_marks_the_cut(text: str, limit: int) -> None:
    cut = truncate(text, limit)
    assert len(cut) <= limit
    assert cut == text or cut.endswith(TRUNCATED[:limit])


@given(
    st.text(alphabet="<>&a!", max_size=400), st.integers(min_value=len(TRUNCATED), max_value=300)
)
def test_escaped_truncation_never_splits_an_entity(text: str, limit: int) -> None:
    cut = mrkdwn_truncated(text, limit)
    assert len(cut) <= limit and "<" not in cut
    body = cut.removesuffix(TRUNCATED)
    assert text.startswith(unescape_slack(body))


@given(st.text())
def test_header_text_has_no_line_breaks_or_nul(text: str) -> None:
    assert not set(header(text)) & {"\r", "\n", "\0"}
