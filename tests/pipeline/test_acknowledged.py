"""An acknowledged group gets no repeat reminders in its cycle; its counts still update."""

from datetime import datetime, timedelta

import pytest
from fakes.events import NOW, make_event
from fakes.rules import make_route

from notifier.notices import Reason
from notifier.pipeline.groups import GroupState, on_due, on_event
from notifier.rules.model import Route

ROUTE_LINES = ('repeat_interval = "1h"', 'group_interval = "1m"', 'resolve_after = "2h"')
F, NEW, REPEAT, RESOLVED = Reason.FIRST, Reason.NEW_IN_GROUP, Reason.REPEAT, Reason.RESOLVED
ACK, UNACK = "ack", "unack"
Sent = list[tuple[float, Reason, int, int]]


def at(offset: float) -> datetime:
    return NOW + timedelta(seconds=offset)


def flush(state: GroupState | None, route: Route, until: datetime, sent: Sent) -> GroupState | None:
    while state is not None and (due := state.due_at(route)) is not None and due <= until:
        decision = on_due(state, route, due)
        state = decision.state
        if decision.reason is not None:
            sent.append(
                ((due - NOW).total_seconds(), decision.reason, state.cycle, state.event_count)
            )
    return state


def play(route: Route, timeline: list[tuple[float, str]], until: float) -> Sent:
    """At each offset an event ("event"), or someone (un)acknowledges the current cycle, as
    `notifier.actions` does: the store hands the cycle to the next load of the state."""
    state: GroupState | None = None
    sent: Sent = []
    for offset, what in timeline:
        state = flush(state, route, at(offset), sent)
        if what in (ACK, UNACK):
            assert state is not None
            state = state._replace(acknowledged_cycle=state.cycle if what == ACK else None)
            continue
        decision = on_event(state, route, make_event(at(offset)), at(offset))
        state = decision.state
        if decision.reason is not None:
            sent.append((offset, decision.reason, state.cycle, state.event_count))
    flush(state, route, at(until), sent)
    return sent


HOUR = 3600.0


@pytest.mark.parametrize(
    ("timeline", "until", "expected"),
    [
        pytest.param(
            [(0, "event"), (HOUR, "event"), (HOUR + 10, "event")],
            HOUR + 60,
            [(0, F, 1, 1), (HOUR, REPEAT, 1, 2), (HOUR + 60, NEW, 1, 3)],
            id="unacknowledged-repeats-after-repeat-interval",
        ),
        pytest.param(
            [(0, "event"), (10, ACK), (HOUR, "event"), (HOUR + 10, "event")],
            HOUR + 60,
            [(0, F, 1, 1), (HOUR, NEW, 1, 2), (HOUR + 60, NEW, 1, 3)],
            id="acknowledged-updates-counts-instead-of-repeating",
        ),
        pytest.param(
            [(0, "event"), (10, ACK), (3 * HOUR, "event"), (4 * HOUR, "event")],
            4 * HOUR,
            [
                (0, F, 1, 1),
                (2 * HOUR, RESOLVED, 1, 1),
                (3 * HOUR, F, 2, 1),
                (4 * HOUR, REPEAT, 2, 2),
            ],
            id="a-new-cycle-after-resolving-is-not-acknowledged",
        ),
        pytest.param(
            [(0, "event"), (10, ACK), (20, UNACK), (HOUR, "event")],
            HOUR,
            [(0, F, 1, 1), (HOUR, REPEAT, 1, 2)],
            id="unacknowledged-again-repeats-again",
        ),
        pytest.param(
            [(0, "event"), (HOUR - 50, "event"), (HOUR - 40, "event"), (HOUR - 30, ACK)],
            HOUR,
            [(0, F, 1, 1), (HOUR - 50, NEW, 1, 2), (HOUR, NEW, 1, 3)],
            id="acknowledged-while-a-repeat-is-pending-sends-an-update-instead",
        ),
    ],
)
def test_acknowledged_group_timeline(
    timeline: list[tuple[float, str]], until: float, expected: Sent
) -> None:
    assert play(make_route(*ROUTE_LINES), timeline, until) == expected
