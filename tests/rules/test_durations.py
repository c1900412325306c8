from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.rules.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0s", timedelta(0)),
        ("30s", timedelta(seconds=30)),
        ("10m", timedelta(minutes=10)),
        ("4h", timedelta(hours=4)),
        ("30d", timedelta(days=30)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2w", timedelta(days=14)),
        (" 5M ", timedelta(minutes=5)),
        ("off", None),
    ],
    ids=["zero", "seconds", "minutes", "hours", "days", "compound", "weeks", "case-space", "off"],
)
def test_duration_text_reads_as_its_span(text: str, expected: timedelta | None) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "10", "x", "1m1h", "-1s", "1.5h", "10 m", "on"],
    ids=[
        "empty",
        "no-unit",
        "word",
        "units-out-of-order",
        "negative",
        "fraction",
        "inner-space",
        "on",
    ],
)
def test_text_that_is_not_a_duration_is_rejected_by_name(text: str) -> None:
    with pytest.raises(ValueError, match=rf'^"{text}" is not a duration \(use e\.g\. 0s'):
        parse_duration(text)


@given(st.integers(min_value=0, max_value=10**9).map(lambda seconds: timedelta(seconds=seconds)))
def test_formatted_duration_parses_back_to_itself(value: timedelta) -> None:
    assert parse_duration(format_duration(value)) == value


@given(st.builds(lambda d, h, m, s: f"{d}d{h}h{m}m{s}s", *[st.integers(0, 999)] * 4))
def test_compound_duration_is_the_sum_of_its_parts(text: str) -> None:
    days, rest = text.split("d")
    hours, rest = rest.split("h")
    minutes, rest = rest.split("m")
    expected = timedelta(
        days=int(days), hours=int(hours), minutes=int(minutes), seconds=int(rest[:-1])
    )
    assert parse_duration(text) == expected


def test_off_formats_as_off() -> None:
    assert format_duration(None) == "off"
