"""`/twilio-alerts …`: the slash command's text parsed into a Command, or a CommandError that
says what is wrong. Pure."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from notifier.errors import UserError
from notifier.events import FIELD_NAMES
from notifier.render.escape import unescape_mrkdwn
from notifier.rules.durations import parse_duration

COMMAND = "/twilio-alerts"
# `route` is no event field, but a silence may name it: it then holds back that route alone.
ROUTE = "route"
SILENCE_FIELDS = (*FIELD_NAMES, ROUTE)
PUBLIC = "public"
# Phones type curly quotes; shlex only knows straight ones.
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
SILENCE_USAGE = f"`{COMMAND} silence FIELD=VALUE … DURATION [comment]`"


class Verb(StrEnum):
    STATUS = "status"
    SILENCES = "silences"
    SILENCE = "silence"
    HELP = "help"


class CommandError(UserError):
    """A command the bot cannot run, with what is wrong in the user's words."""


@dataclass(frozen=True)
class Command:
    verb: Verb
    # Answer in the channel for everyone instead of only to the user who typed it.
    public: bool = False
    matchers: dict[str, str] = field(default_factory=dict)
    duration: timedelta = timedelta(0)
    comment: str = ""


def parse_command(text: str) -> Command:
    """The command `text` (as Slack sends it: `&`, `<`, `>` escaped) asks for."""
    words = _words(text)
    public = bool(words) and words[0].lower() == PUBLIC
    words = words[1:] if public else words
    if not words:
        return Command(Verb.HELP, public)
    try:
        verb = Verb(words[0].lower())
    except ValueError:
        raise CommandError(f"unknown command {words[0]!r}: try `{COMMAND} help`") from None
    if verb is Verb.SILENCE:
        return _silence(words[1:], public)
    if len(words) > 1:
        raise CommandError(f"`{verb}` takes no arguments, not {' '.join(words[1:])!r}")
    return Command(verb, public)


def _words(text: str) -> list[str]:
    try:
        return shlex.split(unescape_mrkdwn(text).translate(_QUOTES))
    except ValueError as error:  # "No closing quotation"
        raise CommandError(f"cannot read {text!r}: {str(error).lower()}") from None


def _silence(words: list[str], public: bool) -> Command:
    matchers: dict[str, str] = {}
    while words and "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        if name not in SILENCE_FIELDS:
            fields = ", ".join(SILENCE_FIELDS)
            raise CommandError(f"{name!r} is not an event field; fields are: {fields}")
        matchers[name] = value
    if not matchers:
        raise CommandError(f"say what to silence, e.g. error_code=11200: {SILENCE_USAGE}")
    if not words:
        raise CommandError(f"say for how long, e.g. 2h: {SILENCE_USAGE}")
    return Command(Verb.SILENCE, public, matchers, _duration(words[0]), " ".join(words[1:]))


def _duration(word: str) -> timedelta:
    try:
        duration = parse_duration(word)
    except ValueError as error:
        raise CommandError(f"{error}: {SILENCE_USAGE}") from None
    if not duration:
        raise CommandError(f"a silence needs a duration longer than 0, not {word!r}")
    return duration


HELP_TEXT = f"""*{COMMAND}* acts on Twilio alerts:
• `{COMMAND} status`: open alert groups, newest first, with their counts
• `{COMMAND} silences`: silences in force
• {SILENCE_USAGE}: hold back matching alerts, e.g. `{COMMAND} silence error_code=11200 2h deploy`
  (fields as in rules.toml, plus `route=NAME`; durations such as 30m, 2h, 1d)
• `{COMMAND} help`: this text
Answers are shown only to you; start with `public` (`{COMMAND} public status`) to answer
in the channel."""
