import itertools
import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from fakes.events import NOW, PROD, make_event
from fakes.rules import make_route
from hypothesis import given, settings
from hypothesis import strategies as st

from notifier.notices import Reason
from notifier.pipeline.groups import (
    Decision,
    GroupState,
    Held,
    Phase,
    group_key,
    on_due,
    on_event,
    quiet_after,
)
from notifier.pipeline.process import make_notice
from notifier.rules.model import Route

THRESHOLD = 'threshold = { count = 5, within = "10m" }'


def seconds(offset: float) -> datetime:
    return NOW + timedelta(seconds=offset)


def flush(
    state: GroupState | None, route: Route, until: datetime, sent: list[tuple[float, Reason, int]]
) -> GroupState | None:
    """Call on_due at every moment the group is due, up to `until`, as the worker does."""
    while state is not None and (due := state.due_at(route)) is not None and due <= until:
        decision = on_due(state, route, due)
        state = decision.state
        if decision.reason is not None:
            sent.append(((due - NOW).total_seconds(), decision.reason, state.event_count))
    return state


def play(
    route: Route, offsets: list[float], until: float
) -> tuple[GroupState | None, list[tuple[float, Reason, int]]]:
    """Events at `offsets` (seconds after NOW, each processed as it arrives), then flush to `until`.

    Returns the final state and the notices as (seconds after NOW, reason, count).
    """
    state: GroupState | None = None
    sent: list[tuple[float, Reason, int]] = []
    for offset in offsets:
        state = flush(state, route, seconds(offset), sent)
        decision = on_event(state, route, make_event(seconds(offset)), seconds(offset))
        state = decision.state
        if decision.reason is not None:
            sent.append((offset, decision.reason, state.event_count))
    return flush(state, route, seconds(until), sent), sent


F, NEW, REPEAT, RESOLVED, THRESH = (
    Reason.FIRST,
    Reason.NEW_IN_GROUP,
    Reason.REPEAT,
    Reason.RESOLVED,
    Reason.THRESHOLD,
)


@pytest.mark.parametrize(
    ("lines", "offsets", "until", "expected"),
    [
        ((), [0], 0, [(0, F, 1)]),
        (('group_wait = "30s"',), [0, 10, 20], 29, []),
        (('group_wait = "30s"',), [0, 10, 20], 30, [(30, F, 3)]),
        ((), [0, 10, 20, 30], 59, [(0, F, 1)]),
        ((), [0, 10, 20, 30], 60, [(0, F, 1), (60, NEW, 4)]),
        ((), [0, 10, 20, 30], 3600, [(0, F, 1), (60, NEW, 4)]),
        ((), [0, 90], 90, [(0, F, 1), (90, NEW, 2)]),
        (
            ('repeat_interval = "10m"',),
            [0, 240, 480, 720],
            720,
            [(0, F, 1), (240, NEW, 2), (480, NEW, 3), (720, REPEAT, 4)],
        ),
        (('resolve_after = "5m"',), [0, 30], 329, [(0, F, 1), (60, NEW, 2)]),
        (
            ('resolve_after = "5m"',),
            [0, 30],
            330,
            [(0, F, 1), (60, NEW, 2), (330, RESOLVED, 2)],
        ),
        ((THRESHOLD,), [0, 60, 120, 180], 3600, []),
        ((THRESHOLD,), [0, 60, 120, 180, 240], 240, [(240, THRESH, 5)]),
        ((THRESHOLD,), [0, 180, 360, 540, 720], 720, []),
        ((THRESHOLD,), [0, 180, 360, 540, 720, 780], 780, [(780, THRESH, 6)]),
    ],
    ids=[
        "no-group-wait-first-event-announced-at-once",
        "group-wait-holds-the-first-notice",
        "group-wait-announces-at-first-seen-plus-wait-with-all-events",
        "events-within-group-interval-send-nothing",
        "group-interval-end-sends-one-update-with-exact-count",
        "update-is-sent-once-per-interval",
        "event-after-group-interval-is-announced-at-once",
        "events-past-repeat-interval-repeat",
        "resolve-waits-for-resolve-after-of-quiet",
        "quiet-group-is-resolved",
        "four-events-stay-below-threshold",
        "fifth-event-within-window-reaches-threshold",
        "five-events-over-more-than-the-window-do-not",
        "sliding-window-reaches-threshold-once-five-fit",
    ],
)
def test_group_lifecycle(
    lines: tuple[str, ...],
    offsets: list[float],
    until: float,
    expected: list[tuple[float, Reason, int]],
) -> None:
    _, sent = play(make_route(*lines), offsets, until)

    assert sent == expected


@pytest.mark.parametrize(
    ("lines", "offsets", "held"),
    [
        (('group_wait = "30s"',), [0], Held.GROUP_WAIT),
        (('group_wait = "30s"',), [0, 10], Held.GROUP_WAIT),
        ((THRESHOLD,), [0, 60, 120, 180], Held.BELOW_THRESHOLD),
        ((THRESHOLD, 'group_wait = "30s"'), [0], Held.BELOW_THRESHOLD),
    ],
    ids=["first-event-waits", "later-event-waits", "below-threshold", "threshold-before-wait"],
)
def test_held_event_says_why(lines: tuple[str, ...], offsets: list[float], held: Held) -> None:
    route = make_route(*lines)
    state, _ = play(route, offsets[:-1], offsets[-1])
    last = seconds(offsets[-1])

    decision = on_event(state, route, make_event(last), last)

    assert (decision.reason, decision.held, decision.state.phase) == (None, held, Phase.WAITING)


def test_first_notice_opens_cycle_one() -> None:
    decision = on_event(None, make_route(), make_event(), NOW)

    assert (decision.reason, decision.state.phase) == (Reason.FIRST, Phase.OPEN)
    assert (decision.state.cycle, decision.state.event_count, decision.state.notified_at) == (
        1,
        1,
        NOW,
    )


def test_event_after_resolve_starts_a_new_cycle_with_first() -> None:
    route = make_route('resolve_after = "5m"')
    state, sent = play(route, [0, 30], 400)
    assert state is not None
    assert (state.phase, sent[-1][1]) == (Phase.QUIET, Reason.RESOLVED)

    decision = on_event(state, route, make_event(seconds(500)), seconds(500))

    assert decision.reason == Reason.FIRST
    assert (decision.state.cycle, decision.state.event_count) == (2, 1)
    assert decision.state.first_seen == seconds(500)


def test_resolved_is_sent_once() -> None:
    route = make_route('resolve_after = "5m"')
    state, sent = play(route, [0], 10_000)
    assert state is not None

    again = on_due(state, route, seconds(20_000))

    assert [reason for _, reason, _ in sent] == [Reason.FIRST, Reason.RESOLVED]
    assert (again.reason, state.due_at(route)) == (None, None)


def test_group_without_resolve_after_goes_quiet_silently_after_repeat_interval() -> None:
    route = make_route('repeat_interval = "1h"')
    state, sent = play(route, [0], 7200)

    assert state is not None and state.phase == Phase.QUIET
    assert sent == [(0, Reason.FIRST, 1)]
    assert quiet_after(route) == timedelta(hours=1)


def test_threshold_is_re_armed_after_the_group_goes_quiet() -> None:
    route = make_route(THRESHOLD, 'repeat_interval = "1h"')
    later = 2 * 3600
    offsets = [0, 60, 120, 180, 240] + [later + step * 60 for step in range(5)]

    state, sent = play(route, offsets[:-1], offsets[-2])
    assert sent == [(240, Reason.THRESHOLD, 5)]
    decision = on_event(state, route, make_event(seconds(offsets[-1])), seconds(offsets[-1]))

    assert state is not None and state.cycle == 2 and state.event_count == 4
    assert (decision.reason, decision.state.cycle, decision.state.event_count) == (THRESH, 2, 5)


def test_update_notice_counts_events_since_the_previous_notice() -> None:
    route = make_route()
    first = on_event(None, route, make_event(), NOW)
    state = first.state
    for offset in (10, 20, 30):
        state = on_event(state, route, make_event(seconds(offset)), seconds(offset)).state

    due = on_due(state, route, seconds(60))
    notice = make_notice(state, due, route)

    assert (notice.reason, notice.count, notice.new_count, notice.since) == (NEW, 4, 3, NOW)


def test_repeat_notice_counts_events_since_the_previous_repeat() -> None:
    route = make_route('repeat_interval = "10m"')
    state: GroupState | None = None
    decisions: list[tuple[GroupState | None, Decision]] = []
    for offset in (0, 240, 480, 720):
        decision = on_event(state, route, make_event(seconds(offset)), seconds(offset))
        decisions.append((state, decision))
        state = decision.state
    before, repeat = decisions[-1]

    notice = make_notice(before, repeat, route)

    assert (notice.reason, notice.count, notice.new_count, notice.since) == (REPEAT, 4, 3, NOW)


def test_key_is_the_route_name_and_group_by_values() -> None:
    key, labels = group_key(make_route(), make_event())

    assert key == f"webhooks|error_code=11200|account_sid={PROD}"
    assert labels == {"error_code": "11200", "account_sid": PROD}


def test_missing_group_by_field_is_an_empty_label() -> None:
    key, labels = group_key(make_route('group_by = ["resource_sid"]'), make_event())

    assert (key, labels) == ("webhooks|resource_sid=", {"resource_sid": ""})


def test_out_of_order_event_moves_first_seen_back() -> None:
    route = make_route()
    state = on_event(None, route, make_event(seconds(60)), seconds(60)).state

    state = on_event(state, route, make_event(seconds(0)), seconds(60)).state

    assert (state.first_seen, state.last_seen) == (NOW, seconds(60))


# Properties


OTHER_FIELDS = st.fixed_dictionaries(
    {
        "level": st.sampled_from(["error", "warning", "info"]),
        "message": st.none() | st.text(max_size=20),
        "resource_sid": st.none() | st.text(max_size=10),
        "url": st.none() | st.text(max_size=20),
        "http_status": st.none() | st.integers(100, 599),
    }
)


@settings(max_examples=60, deadline=None)
@given(offsets=st.lists(st.integers(0, 600), min_size=1, max_size=40))
def test_identical_key_events_in_any_order_give_one_first_and_full_count(
    offsets: list[int],
) -> None:
    route = make_route()
    now = seconds(600)
    state: GroupState | None = None
    reasons: list[Reason] = []
    for offset in offsets:
        decision = on_event(state, route, make_event(seconds(offset)), now)
        state = decision.state
        reasons += [decision.reason] if decision.reason else []

    assert reasons == [Reason.FIRST]
    assert state is not None and state.event_count == len(offsets)
    assert state.last_seen == seconds(max(offsets))


@settings(max_examples=60, deadline=None)
@given(one=OTHER_FIELDS, other=OTHER_FIELDS, shift=st.integers(-86_400, 86_400))
def test_group_key_ignores_fields_outside_group_by(
    one: dict[str, Any], other: dict[str, Any], shift: int
) -> None:
    route = make_route()

    first = group_key(route, make_event(NOW, **one))
    second = group_key(route, make_event(seconds(shift), **other))

    assert first == second


GROUP_VALUE = st.text(st.characters(exclude_characters="|="), max_size=8)


@settings(max_examples=60, deadline=None)
@given(codes=st.lists(st.tuples(GROUP_VALUE, GROUP_VALUE), min_size=1, max_size=8), data=st.data())
def test_group_keys_do_not_depend_on_event_order(
    codes: list[tuple[str, str]], data: st.DataObject
) -> None:
    route = make_route()
    events = [make_event(error_code=code, account_sid=account) for code, account in codes]
    shuffled = data.draw(st.permutations(events))

    keys = {event: group_key(route, event)[0] for event in events}
    shuffled_keys = {event: group_key(route, event)[0] for event in shuffled}

    assert keys == shuffled_keys
    assert len(set(keys.values())) == len(set(codes))


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_storm_of_ten_thousand_events_sends_one_first_and_one_update_per_interval(
    seed: int,
) -> None:
    route = make_route('group_interval = "1m"')
    rng = random.Random(seed)
    offsets = sorted(rng.uniform(0, 60) for _ in range(10_000))

    state, sent = play(route, offsets, until=600)

    reasons = [reason for _, reason, _ in sent]
    updates = [at for at, reason, _ in sent if reason == Reason.NEW_IN_GROUP]
    assert reasons.count(Reason.FIRST) == 1 and reasons[0] == Reason.FIRST
    assert set(reasons) <= {Reason.FIRST, Reason.NEW_IN_GROUP}
    assert all(later - earlier >= 60 for earlier, later in itertools.pairwise(updates))
    assert len(updates) <= 2
    assert state is not None and state.event_count == 10_000
    assert sent[-1][2] == 10_000


def test_events_with_old_twilio_timestamps_keep_one_group_open() -> None:
    route = make_route('resolve_after = "30m"')
    old = NOW - timedelta(days=200)  # a redelivered or backlogged event's own time
    first = on_event(None, route, make_event(at=old), NOW)
    second = on_event(
        on_due(first.state, route, seconds(1)).state, route, make_event(at=old), seconds(2)
    )

    assert (first.reason, second.reason) == (Reason.FIRST, None)
    assert second.state.event_count == 2
    assert on_due(second.state, route, seconds(60)).reason == Reason.NEW_IN_GROUP


def test_group_wait_runs_from_when_the_group_opened_not_from_the_event_time() -> None:
    route = make_route('group_wait = "30s"')
    held = on_event(None, route, make_event(at=NOW - timedelta(hours=1)), NOW)

    assert held.held is Held.GROUP_WAIT
    assert on_due(held.state, route, seconds(30)).reason == Reason.FIRST
