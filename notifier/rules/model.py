"""The validated contents of rules.toml as plain, immutable data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from re import Pattern
from typing import ClassVar

from notifier.notices import Reason


@dataclass(frozen=True)
class MatchValue:
    """The any-of values of one matcher key, compiled once at load time for fast matching."""

    written: tuple[str, ...]  # as in rules.toml, for display
    exact: frozenset[str] = frozenset()  # lower-cased when fold_case
    ranges: tuple[tuple[int, int], ...] = ()  # error_code only: inclusive code ranges
    fold_case: bool = False


@dataclass(frozen=True)
class GeneralSettings:
    timezone: str = "UTC"
    retention: timedelta | None = timedelta(days=30)
    accounts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Timing:
    receivers: tuple[str, ...] = ("local",)
    group_by: tuple[str, ...] = ("error_code", "account_sid")
    group_wait: timedelta = timedelta(0)
    group_interval: timedelta = timedelta(minutes=1)
    repeat_interval: timedelta = timedelta(hours=4)
    resolve_after: timedelta | None = None


@dataclass(frozen=True)
class SlackApiConfig:
    """Posts with SLACK_BOT_TOKEN to `channel` (a name such as #alerts, or an ID)."""

    every_event: ClassVar[bool] = False
    channel: str

    @property
    def key(self) -> str:
        return f"slack:{self.channel}"


@dataclass(frozen=True)
class SlackWebhookConfig:
    """Posts to an incoming webhook; `number` counts the receiver's webhooks from 1."""

    every_event: ClassVar[bool] = False
    url: str = field(repr=False)  # a secret: never printed
    number: int = 1

    @property
    def key(self) -> str:
        return f"webhook:{self.number}"


@dataclass(frozen=True)
class EmailConfig:
    every_event: ClassVar[bool] = False
    to: tuple[str, ...]
    subject_prefix: str = ""

    @property
    def key(self) -> str:
        return "email:" + ",".join(self.to)


@dataclass(frozen=True)
class ConsoleConfig:
    # A local terminal shows every event that joins a group, not only the group's notices.
    every_event: ClassVar[bool] = True

    @property
    def key(self) -> str:
        return "console"


ChannelConfig = SlackApiConfig | SlackWebhookConfig | EmailConfig | ConsoleConfig


def shows(config: ChannelConfig, reason: Reason) -> bool:
    """Whether a notice sent for `reason` goes to this channel at all."""
    return reason is not Reason.JOINED or config.every_event


@dataclass(frozen=True)
class Receiver:
    """A name and one or more channels (as in Alertmanager); each channel's `key` is unique in it
    and names it in the notification history."""

    name: str
    channels: tuple[ChannelConfig, ...] = ()

    def channel(self, key: str | None) -> ChannelConfig | None:
        """The channel with this key; None, the first (rows stored before channels had keys)."""
        if key is None:
            return self.channels[0] if self.channels else None
        return next((channel for channel in self.channels if channel.key == key), None)


@dataclass(frozen=True)
class Threshold:
    count: int
    within: timedelta


@dataclass(frozen=True)
class Matcher:
    """`match` / `match_re` / `exclude` of a route, inhibit or digest."""

    equal: dict[str, MatchValue] = field(default_factory=dict)
    regex: dict[str, Pattern[str]] = field(default_factory=dict)
    exclude: dict[str, MatchValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    name: str
    matcher: Matcher
    timing: Timing
    drop: bool = False
    continue_: bool = False
    threshold: Threshold | None = None
    mute_during: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inhibit:
    when: Matcher
    suppress: Matcher
    equal: tuple[str, ...]
    for_: timedelta

    @cached_property
    def key(self) -> str:
        """A name for this unnamed rule that every process and restart agrees on, so its marks
        are found again: a hash of the rule as written (never of a set, whose order varies from
        one process to the next), so reordering the rules keeps them too."""
        text = repr(
            (
                sorted((name, value.written) for name, value in self.when.equal.items()),
                sorted((name, value.written) for name, value in self.suppress.equal.items()),
                self.equal,
                self.for_,
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class TimeWindow:
    name: str
    weekdays: tuple[int, ...] = ()  # 0 = Monday; empty means every day
    days_of_month: tuple[int, ...] = ()  # empty means every day
    times: tuple[tuple[int, int], ...] = ()  # minutes after midnight, [start, end)


@dataclass(frozen=True)
class FallbackTwiml:
    voice_say: str = "Sorry, we are having technical difficulties. Please try again later."
    messaging_reply: str = ""


# The event fields a digest's match/exclude may use: those the store keeps in columns.
DIGEST_SCOPE_FIELDS = ("source", "level", "error_code", "account_sid", "resource_sid")


@dataclass(frozen=True)
class Digest:
    name: str
    schedule: str
    receivers: tuple[str, ...]
    matcher: Matcher = field(default_factory=Matcher)
    period: timedelta | None = None


@dataclass(frozen=True)
class Rules:
    settings: GeneralSettings = field(default_factory=GeneralSettings)
    defaults: Timing = field(default_factory=Timing)
    receivers: dict[str, Receiver] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    inhibits: tuple[Inhibit, ...] = ()
    time_windows: dict[str, TimeWindow] = field(default_factory=dict)
    fallback: FallbackTwiml = field(default_factory=FallbackTwiml)
    digests: tuple[Digest, ...] = ()
    warnings: tuple[str, ...] = ()
