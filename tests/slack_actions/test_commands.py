"""`/twilio-alerts` text into commands, and what is wrong with text that is none."""

import contextlib
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.events import FIELD_NAMES
from notifier.slack_actions.commands import Command, CommandError, Verb, parse_command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", Command(Verb.HELP), id="empty-is-help"),
        pytest.param("help", Command(Verb.HELP), id="help"),
        pytest.param("STATUS", Command(Verb.STATUS), id="verbs-ignore-case"),
        pytest.param("silences", Command(Verb.SILENCES), id="silences"),
        pytest.param("public status", Command(Verb.STATUS, public=True), id="public-first"),
        pytest.param(
            "silence error_code=11200 2h deploy in progress",
            Command(Verb.SILENCE, False, {"error_code": "11200"}, timedelta(hours=2),
                    "deploy in progress"),
            id="silence-with-comment",
        ),
        pytest.param(
            'silence route=webhooks account_name="my account" 1h30m',
            Command(Verb.SILENCE, False, {"route": "webhooks", "account_name": "my account"},
                    timedelta(minutes=90)),
            id="quoted-value-and-route",
        ),
        pytest.param(
            "silence url=https://a.example/?x=1&amp;y=&lt;2&gt; 10m",
            Command(Verb.SILENCE, False, {"url": "https://a.example/?x=1&y=<2>"},
                    timedelta(minutes=10)),
            id="slack-escapes-undone",
        ),
        pytest.param(
            "silence error_code=\u201c11200\u201d 1d",
            Command(Verb.SILENCE, False, {"error_code": "11200"}, timedelta(days=1)),
            id="curly-quotes-from-a-phone",
        ),
    ],
)  # fmt: skip
def test_commands_parse(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("snooze", r"unknown command 'snooze': try `/twilio-alerts help`", id="verb"),
        pytest.param("status now", r"`status` takes no arguments, not 'now'", id="extra-words"),
        pytest.param("silence 2h", r"say what to silence, e.g. error_code=11200", id="no-matcher"),
        pytest.param("silence error_code=11200", r"say for how long, e.g. 2h", id="no-duration"),
        pytest.param("silence colour=red 1h", r"'colour' is not an event field", id="field"),
        pytest.param("silence error_code=1 soon", r'"soon" is not a duration', id="duration"),
        pytest.param("silence error_code=1 0s", r"longer than 0, not '0s'", id="zero"),
        pytest.param("silence error_code=1 off", r"longer than 0, not 'off'", id="off"),
        pytest.param('silence error_code="1 1h', r"no closing quotation", id="quote"),
    ],
)
def test_commands_that_cannot_run_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse_command(text)


_VALUES = st.text(st.characters(blacklist_categories=["Cs", "Cc", "Zs"]), min_size=1, max_size=30)
_WORDS = st.lists(st.text("abcdefghij", min_size=1, max_size=8), max_size=5)


@given(
    st.dictionaries(st.sampled_from(FIELD_NAMES), _VALUES, min_size=1, max_size=4),
    st.integers(1, 10_000),
    _WORDS,
    st.booleans(),
)
def test_any_silence_written_out_parses_back(
    matchers: dict[str, str], minutes: int, comment: list[str], public: bool
) -> None:
    quoted = " ".join(f"{name}='{value}'" for name, value in matchers.items() if "'" not in value)
    kept = {name: value for name, value in matchers.items() if "'" not in value}
    if not kept:
        return
    text = f"{'public ' if public else ''}silence {quoted} {minutes}m {' '.join(comment)}"

    assert parse_command(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")) == (
        Command(Verb.SILENCE, public, kept, timedelta(minutes=minutes), " ".join(comment))
    )


@given(st.text(max_size=200))
def test_no_text_makes_the_parser_fail_other_than_with_a_command_error(text: str) -> None:
    with contextlib.suppress(CommandError):
        parse_command(text)
