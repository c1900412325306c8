"""The worker's pipeline, stage by stage: enrich, route, suppress, group, enqueue.

Runs inside the transaction that marks the batch processed, so a crash mid-batch leaves no
trace and the batch is processed again: no notice is lost and none is sent twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from notifier.enrich import enrich
from notifier.events import Event
from notifier.metrics import Metrics
from notifier.notices import Notice, Reason
from notifier.pipeline import memory
from notifier.pipeline.groups import Decision, GroupState, Held, group_key, on_due, on_event
from notifier.pipeline.suppress import Outcome, marks_set_by, suppression
from notifier.rules.match import select_routes
from notifier.rules.model import Matcher, Route, Rules
from notifier.store.events import StoredEvent
from notifier.store.inhibit_marks import load_marks, save_marks
from notifier.store.outbox import DeliveryStatus, enqueue
from notifier.store.outcomes import OutcomeRow, record_outcomes
from notifier.store.silences import active_silences
from notifier.twilio.catalog import Catalog

DUE_BATCH = 200
# Held back from a receiver that would otherwise have heard of the event. A drop is not among
# them: the user said the event never concerns anyone.
HELD_FROM_RECEIVERS = frozenset(
    {Outcome.SILENCED, Outcome.INHIBITED, Outcome.MUTED, Outcome.BELOW_THRESHOLD}
)


@dataclass
class _Step:
    """One event on one route that reached the grouping stage."""

    stored: StoredEvent
    event: Event
    route: Route
    key: str


@dataclass
class _Batch:
    steps: list[_Step] = field(default_factory=list)
    outcomes: list[OutcomeRow] = field(default_factory=list)
    marks: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def record(
        self, stored: StoredEvent, route: str | None, outcome: Outcome, key: str | None
    ) -> None:
        self.outcomes.append(OutcomeRow(stored.id, route, outcome.value, key, stored.event.time))


class Pipeline:
    """Turns claimed events into stored group state and outbox deliveries."""

    def __init__(
        self, rules: Callable[[], Rules], catalog: Catalog, metrics: Metrics | None = None
    ) -> None:
        self._rules = rules
        self._catalog = catalog
        self._metrics = metrics or Metrics()

    def process(
        self, conn: Connection, events: Sequence[StoredEvent], now: datetime
    ) -> list[Notice]:
        rules = self._rules()
        batch = self._route_and_suppress(conn, rules, events, now)
        states = memory.lock_groups(conn, (step.key for step in batch.steps))
        notices = [n for step in batch.steps if (n := self._group(step, states, batch, now))]
        memory.save_groups(conn, {k: (s, s.due_at(_route(rules, s))) for k, s in states.items()})
        save_marks(conn, batch.marks)
        record_outcomes(conn, batch.outcomes)
        _enqueue(conn, rules, notices, states, now)
        # Counted before the caller commits: a crash in between has the batch processed again
        # and counted twice. Metrics may over-count slightly; the stored outcomes never do.
        self._count(rules, batch.outcomes)
        return notices

    def flush_due(self, conn: Connection, now: datetime) -> list[Notice]:
        """Send what group_wait, group_interval, repeat_interval and resolve_after held back."""
        rules = self._rules()
        states = memory.claim_due_groups(conn, now, DUE_BATCH)
        notices: list[Notice] = []
        for key, before in states.items():
            route = _route(rules, before)
            decision = on_due(before, route, now)
            states[key] = decision.state
            if decision.reason is not None:
                notices.append(make_notice(before, decision, route))
        memory.save_groups(conn, {k: (s, s.due_at(_route(rules, s))) for k, s in states.items()})
        _enqueue(conn, rules, notices, states, now)
        return notices

    def _route_and_suppress(
        self, conn: Connection, rules: Rules, events: Sequence[StoredEvent], now: datetime
    ) -> _Batch:
        silences = active_silences(conn, now)
        # Marks only matter to inhibit rules; without any, a batch need not read them.
        marks = load_marks(conn) if rules.inhibits else {}
        batch = _Batch()
        for stored in events:
            event = enrich(stored.event, self._catalog, rules.settings.accounts)
            fields = event.fields()
            received = stored.received_at
            for mark in marks_set_by(rules, fields):
                marks[mark] = batch.marks[mark] = max(marks.get(mark, received), received)
            routes = select_routes(rules, fields)
            if not routes:
                batch.record(stored, None, Outcome.UNMATCHED, None)
            for route in routes:
                held = suppression(
                    route, rules, fields, silences, marks, now=now, received_at=received
                )
                key = group_key(route, event)[0]
                if held is not None:
                    batch.record(stored, route.name, held, key)
                else:
                    batch.steps.append(_Step(stored, event, route, key))
        return batch

    def _group(
        self, step: _Step, states: dict[str, GroupState], batch: _Batch, now: datetime
    ) -> Notice | None:
        before = states.get(step.key)
        decision = on_event(before, step.route, step.event, now)
        states[step.key] = decision.state
        below = decision.held is Held.BELOW_THRESHOLD
        outcome = Outcome.BELOW_THRESHOLD if below else Outcome.ALERTED
        batch.record(step.stored, step.route.name, outcome, step.key)
        if decision.reason is not None:
            return make_notice(before, decision, step.route)
        if _first_to_join(before, decision):
            return make_notice(before, decision, step.route, Reason.JOINED)
        return None

    def _count(self, rules: Rules, outcomes: list[OutcomeRow]) -> None:
        receivers = {route.name: route.timing.receivers for route in rules.routes}
        # Outcome is a StrEnum: the stored strings compare and hash as its members do.
        tally = Counter((row.route or "", row.outcome) for row in outcomes)
        for (route, outcome), count in tally.items():
            self._metrics.event_outcomes.labels(route, outcome).inc(count)
            if outcome in HELD_FROM_RECEIVERS:
                for receiver in receivers.get(route, ()):
                    labels = (receiver, DeliveryStatus.SUPPRESSED.value)
                    self._metrics.notifications.labels(*labels).inc(count)


def _enqueue(
    conn: Connection,
    rules: Rules,
    notices: list[Notice],
    states: dict[str, GroupState],
    now: datetime,
) -> None:
    """One outbox row per channel of each receiver, with the rules the notices were made by."""
    for notice in notices:
        enqueue(conn, notice, states[notice.group_key].cycle, now, rules.receivers)


def make_notice(
    before: GroupState | None, decision: Decision, route: Route, reason: Reason | None = None
) -> Notice:
    """The notice for a decision (or for `reason`), with "N more since HH:MM" measured from the
    previous one."""
    state, reason = decision.state, reason or decision.reason
    assert reason is not None
    since, previous = None, 0
    if before is not None and reason == Reason.REPEAT:
        since, previous = before.repeat_at, before.repeat_count
    elif before is not None and before.cycle == state.cycle:
        since, previous = before.notified_at, before.notified_count
    threshold = route.threshold
    return Notice(
        route=route.name,
        group_key=state.key,
        reason=reason,
        event=state.last_event,
        count=state.event_count,
        first_seen=state.first_seen,
        last_seen=state.last_seen,
        receivers=route.timing.receivers,
        new_count=state.event_count - previous,
        since=since,
        threshold=(threshold.count, threshold.within) if threshold else None,
        labels=state.labels,
        acknowledged=state.acknowledged,
    )


def _first_to_join(before: GroupState | None, decision: Decision) -> bool:
    """The first event counted into a notified group since its last notice: the console says
    it joined (once per group and interval, so a storm adds one line, not thousands)."""
    return (
        before is not None
        and decision.held is None
        and decision.state.cycle == before.cycle
        and before.event_count == before.notified_count
    )


def _route(rules: Rules, state: GroupState) -> Route:
    """The group's route in the rules now in force; a removed route lets its groups go quiet."""
    for route in rules.routes:
        if route.name == state.route:
            return route
    return Route(name=state.route, matcher=Matcher(), timing=rules.defaults)
