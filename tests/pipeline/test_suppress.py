import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fakes.events import NOW, PROD, TEST, make_event
from fakes.rules import make_rules
from hypothesis import given, settings
from hypothesis import strategies as st

from notifier.pipeline.suppress import Outcome, marks_set_by, muted_by, suppression
from notifier.rules.model import Route, Rules
from notifier.store.inhibit_marks import Marks
from notifier.store.silences import Silence

BERLIN = ZoneInfo("Europe/Berlin")

RULES = """
[settings]
timezone = "Europe/Berlin"

[receivers.local]
console = {}

[[routes]]
name = "ignore-test-account"
match = { account_sid = "TEST" }
drop = true

[[routes]]
name = "webhooks"
match = { error_code = ["11200-11299"] }
mute_during = ["nightly-deploy", "dst-night"]

[[routes]]
name = "everything-else"
match = {}

[[inhibit]]
when = { error_code = "11205" }
suppress = { error_code = ["11200"] }
equal = ["account_sid"]
for = "10m"

[time_windows.nightly-deploy]
weekdays = ["mon-fri"]
times = ["02:00-02:30"]

[time_windows.dst-night]
days_of_month = ["31", "27"]
times = ["01:00-04:00"]
""".replace('"TEST"', f'"{TEST}"')


def route_named(rules: Rules, name: str) -> Route:
    return next(route for route in rules.routes if route.name == name)


def make_silence(
    starts: timedelta = timedelta(hours=-1), ends: timedelta = timedelta(hours=1), **matchers: str
) -> Silence:
    return Silence(1, matchers or {"error_code": "11200"}, NOW + starts, NOW + ends, "deploy")


def berlin(text: str) -> datetime:
    """A Berlin wall-clock time, in UTC as the pipeline passes it."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN).astimezone(UTC)


def suppressed(
    fields: dict[str, Any],
    *,
    route: str = "webhooks",
    at: datetime = NOW,
    received: datetime | None = None,
    silences: tuple[Silence, ...] = (),
    marks: Marks | None = None,
) -> Outcome | None:
    """The outcome of processing the event at `at`, received at `received` (default `at`)."""
    rules = make_rules(RULES)
    return suppression(
        route_named(rules, route),
        rules,
        fields,
        silences,
        marks or {},
        now=at,
        received_at=received or at,
    )


def test_event_on_drop_route_is_dropped() -> None:
    fields = make_event(account_sid=TEST).fields()
    assert suppressed(fields, route="ignore-test-account") == Outcome.DROPPED


def test_plain_event_goes_on() -> None:
    assert suppressed(make_event().fields()) is None


@pytest.mark.parametrize(
    ("silence", "expected"),
    [
        (make_silence(), Outcome.SILENCED),
        (make_silence(error_code="11200", account_sid=PROD), Outcome.SILENCED),
        (make_silence(starts=timedelta(0)), Outcome.SILENCED),
        (make_silence(ends=timedelta(0)), None),
        (make_silence(ends=timedelta(minutes=-5)), None),
        (make_silence(starts=timedelta(minutes=5)), None),
        (make_silence(error_code="11205"), None),
        (make_silence(error_code="11200", account_sid=TEST), None),
        (make_silence(resource_sid="PN1"), None),
    ],
    ids=[
        "active-matching-silence-silences",
        "every-matcher-must-match",
        "silence-starting-now-is-active",
        "silence-ending-now-is-over",
        "expired-silence-does-not",
        "future-silence-does-not",
        "other-error-code-is-not-silenced",
        "one-differing-matcher-is-enough-to-miss",
        "matcher-on-a-missing-field-misses",
    ],
)
def test_silence(silence: Silence, expected: Outcome | None) -> None:
    assert suppressed(make_event().fields(), silences=(silence,)) == expected


MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("stamped", "processed", "silence", "expected"),
    [
        (NOW - MINUTE, NOW, make_silence(starts=timedelta(0)), Outcome.SILENCED),
        (NOW - 3 * timedelta(hours=1), NOW, make_silence(starts=timedelta(0)), Outcome.SILENCED),
        (NOW, NOW + 2 * MINUTE, make_silence(ends=MINUTE), None),
        (NOW, NOW - MINUTE, make_silence(starts=timedelta(0)), None),
    ],
    ids=[
        "late-event-stamped-before-the-silence-was-added-is-silenced",
        "backlog-of-old-events-processed-during-a-silence-is-silenced",
        "event-stamped-in-a-silence-processed-after-it-ended-is-alerted",
        "event-processed-before-the-silence-starts-is-alerted",
    ],
)
def test_silence_judges_the_time_of_processing_not_twilios_timestamp(
    stamped: datetime, processed: datetime, silence: Silence, expected: Outcome | None
) -> None:
    assert suppressed(make_event(stamped).fields(), at=processed, silences=(silence,)) == expected


@pytest.mark.parametrize(
    ("stamped", "processed", "expected"),
    [
        ("2024-06-04 01:50", "2024-06-04 02:05", Outcome.MUTED),
        ("2024-06-04 02:10", "2024-06-04 02:40", None),
        ("2024-06-03 23:00", "2024-06-04 02:29", Outcome.MUTED),
    ],
    ids=[
        "stamped-before-the-window-processed-in-it-is-muted",
        "stamped-in-the-window-processed-after-it-is-alerted",
        "backlog-from-last-night-processed-in-the-window-is-muted",
    ],
)
def test_mute_window_judges_the_time_of_processing_not_twilios_timestamp(
    stamped: str, processed: str, expected: Outcome | None
) -> None:
    outcome = suppressed(make_event(berlin(stamped)).fields(), at=berlin(processed))

    assert outcome == expected


@pytest.mark.parametrize(
    ("stamped", "received", "when_received", "expected"),
    [
        (NOW - 3 * timedelta(hours=1), NOW, NOW - 5 * MINUTE, Outcome.INHIBITED),
        (NOW, NOW, NOW - 3 * timedelta(hours=1), None),
        (NOW, NOW - 5 * MINUTE, NOW, None),
    ],
    ids=[
        "target-stamped-hours-ago-received-within-for-is-inhibited",
        "when-event-received-hours-ago-does-not-inhibit",
        "target-received-before-the-when-event-is-not-inhibited",
    ],
)
def test_inhibit_judges_the_times_the_bot_received_the_events(
    stamped: datetime, received: datetime, when_received: datetime, expected: Outcome | None
) -> None:
    marks = marks_at(make_rules(RULES), when_received)

    outcome = suppressed(make_event(stamped).fields(), at=NOW, received=received, marks=marks)

    assert outcome == expected


def marks_at(rules: Rules, at: datetime, **fields: Any) -> dict[tuple[str, str], datetime]:
    """The marks an 11205 event at `at` sets, as the store would hold them."""
    when_fields = make_event(at, **{"error_code": "11205", **fields}).fields()
    return dict.fromkeys(marks_set_by(rules, when_fields), at)


@pytest.mark.parametrize(
    ("when_ago", "when_account", "expected"),
    [
        (timedelta(minutes=5), PROD, Outcome.INHIBITED),
        (timedelta(minutes=10), PROD, Outcome.INHIBITED),
        (timedelta(0), PROD, Outcome.INHIBITED),
        (timedelta(minutes=5), TEST, None),
        (timedelta(minutes=10, seconds=1), PROD, None),
        (timedelta(hours=2), PROD, None),
    ],
    ids=[
        "when-event-within-for-with-equal-account-inhibits",
        "when-event-exactly-for-ago-inhibits",
        "when-event-at-the-same-moment-inhibits",
        "when-event-of-another-account-does-not",
        "when-event-just-older-than-for-does-not",
        "long-gone-when-event-does-not",
    ],
)
def test_inhibit(when_ago: timedelta, when_account: str, expected: Outcome | None) -> None:
    marks = marks_at(make_rules(RULES), NOW - when_ago, account_sid=when_account)

    assert suppressed(make_event().fields(), marks=marks) == expected


def test_inhibit_only_suppresses_its_targets() -> None:
    marks = marks_at(make_rules(RULES), NOW)

    assert suppressed(make_event(error_code="11210").fields(), marks=marks) is None


def test_when_event_does_not_inhibit_itself() -> None:
    rules = make_rules(RULES)
    marks = marks_at(rules, NOW)

    assert suppressed(make_event(error_code="11205").fields(), marks=marks) is None


def test_event_matching_when_sets_one_mark_per_rule_and_others_none() -> None:
    rules = make_rules(RULES)

    assert len(marks_set_by(rules, make_event(error_code="11205").fields())) == 1
    assert marks_set_by(rules, make_event(error_code="11200").fields()) == []


def test_marks_for_different_equal_values_differ() -> None:
    rules = make_rules(RULES)

    assert marks_at(rules, NOW, account_sid=PROD).keys() != marks_at(rules, NOW, account_sid=TEST)


def test_when_event_long_after_the_target_does_not_inhibit_it() -> None:
    marks = marks_at(make_rules(RULES), NOW + timedelta(hours=2))

    assert suppressed(make_event().fields(), marks=marks) is None


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2024-06-04 02:10", "nightly-deploy"),
        ("2024-06-04 02:30", None),
        ("2024-06-08 02:10", None),
        ("2024-01-09 02:10", "nightly-deploy"),
        ("2024-03-29 02:15", "nightly-deploy"),
        ("2024-04-01 02:15", "nightly-deploy"),
        ("2024-10-25 02:15", "nightly-deploy"),
        ("2024-10-28 02:15", "nightly-deploy"),
        ("2024-03-31 00:59", None),
        ("2024-03-31 01:30", "dst-night"),
        ("2024-03-31 03:30", "dst-night"),
        ("2024-03-31 04:00", None),
    ],
    ids=[
        "weekday-inside-window",
        "window-end-is-excluded",
        "saturday-is-not-muted",
        "winter-time-is-local",
        "friday-before-spring-forward",
        "monday-after-spring-forward",
        "friday-before-fall-back",
        "monday-after-fall-back",
        "before-the-dst-night-window",
        "dst-night-before-the-switch",
        "dst-night-after-the-switch",
        "dst-night-end-after-the-switch",
    ],
)
def test_mute_during_follows_berlin_wall_clock(moment: str, expected: str | None) -> None:
    rules = make_rules(RULES)

    assert muted_by(route_named(rules, "webhooks"), rules, berlin(moment)) == expected
    outcome = suppressed(make_event(berlin(moment)).fields(), at=berlin(moment))
    assert outcome == (Outcome.MUTED if expected else None)


@pytest.mark.parametrize(
    ("times", "utc", "expected"),
    [
        ("01:00-04:00", "2024-03-31T00:30:00", True),
        ("01:00-04:00", "2024-03-31T01:30:00", True),
        ("01:00-04:00", "2024-03-31T02:00:00", False),
        ("02:00-03:00", "2024-10-27T00:30:00", True),
        ("02:00-03:00", "2024-10-27T01:30:00", True),
        ("02:00-03:00", "2024-10-27T02:00:00", False),
    ],
    ids=[
        "spring-01:30-cet-is-in",
        "spring-03:30-cest-is-in",
        "spring-04:00-cest-is-out",
        "autumn-first-02:30-cest-is-in",
        "autumn-second-02:30-cet-is-in",
        "autumn-03:00-cet-is-out",
    ],
)
def test_mute_window_spanning_the_dst_switch_follows_local_time(
    times: str, utc: str, expected: bool
) -> None:
    rules = make_rules(RULES.replace('"01:00-04:00"', f'"{times}"'))
    moment = datetime.fromisoformat(utc).replace(tzinfo=UTC)

    assert (muted_by(route_named(rules, "webhooks"), rules, moment) == "dst-night") == expected


def test_route_without_mute_during_is_never_muted() -> None:
    rules = make_rules(RULES)

    assert (
        muted_by(route_named(rules, "everything-else"), rules, berlin("2024-06-04 02:10")) is None
    )


def test_drop_wins_over_every_other_reason() -> None:
    rules = make_rules(RULES)
    drop = route_named(rules, "ignore-test-account")
    fields = make_event(berlin("2024-06-04 02:10"), account_sid=TEST).fields()
    marks = marks_at(rules, berlin("2024-06-04 02:10"), account_sid=TEST)
    at = berlin("2024-06-04 02:10")

    outcome = suppression(drop, rules, fields, [make_silence()], marks, now=at, received_at=at)

    assert outcome == Outcome.DROPPED


def test_silence_wins_over_inhibit() -> None:
    marks = marks_at(make_rules(RULES), NOW)

    fields = make_event().fields()
    assert suppressed(fields, silences=(make_silence(),), marks=marks) == Outcome.SILENCED


EVENT_FIELDS = st.fixed_dictionaries(
    {
        "error_code": st.none() | st.sampled_from(["11200", "11205", "30007", "82002"]),
        "account_sid": st.none() | st.sampled_from([PROD, TEST]),
        "level": st.sampled_from(["error", "warning", "info"]),
        "message": st.none() | st.text(max_size=20),
    }
)
MOMENTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=100, deadline=None)
@given(fields=EVENT_FIELDS, at=MOMENTS, silenced=st.booleans(), inhibited=st.booleans())
def test_drop_route_never_lets_an_event_through(
    fields: dict[str, Any], at: datetime, silenced: bool, inhibited: bool
) -> None:
    rules = make_rules(RULES)
    drop = route_named(rules, "ignore-test-account")
    silences = [Silence(1, {}, at - timedelta(hours=1), at + timedelta(hours=1), "")]
    marks = marks_at(rules, at, account_sid=fields["account_sid"]) if inhibited else {}

    fields = make_event(at, **fields).fields()

    outcome = suppression(
        drop, rules, fields, silences if silenced else [], marks, now=at, received_at=at
    )

    assert outcome == Outcome.DROPPED


KEY_OF_FIRST_INHIBIT = (
    "from notifier.rules.load import parse_rules; "
    "print(parse_rules(open('rules.toml').read(), 'rules.toml', {}).inhibits[0].key)"
)


def test_an_inhibit_rule_has_the_same_key_in_every_process(tmp_path: Path) -> None:
    (tmp_path / "rules.toml").write_text(
        "[receivers.local]\nconsole = {}\n"
        '[[inhibit]]\nwhen = { error_code = ["11205", "11206", "11207"] }\n'
        'suppress = { error_code = ["11200", "11210"], level = ["error", "warning"] }\n'
        'equal = ["account_sid"]\nfor = "10m"\n'
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", KEY_OF_FIRST_INHIBIT],
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3", "4")
    }

    assert len(keys) == 1
