"""A worker on a store with a pinned clock: events in, group states and notices out."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from fakes.events import NOW
from notifier.delivery import Deliverer
from notifier.notices import Reason
from notifier.pipeline.process import Pipeline
from notifier.rules.model import Rules
from notifier.store.events import IncomingEvent, insert_events
from notifier.store.schema import event_outcomes, notifications
from notifier.twilio.catalog import Catalog
from notifier.worker import Worker


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def make_worker(engine: Engine, rules: Rules, clock: Clock) -> Worker:
    pipeline = Pipeline(lambda: rules, Catalog())
    deliverer = Deliverer(engine, lambda _receiver: None, clock)
    return Worker(engine, pipeline, deliverer, clock=clock)


def receive(engine: Engine, worker: Worker, *items: IncomingEvent, at: datetime) -> None:
    """Store the events as received at `at` and run the worker's batch over them."""
    with engine.begin() as conn:
        insert_events(conn, items, at)
    worker.process_once()


def sent(engine: Engine) -> list[tuple[str, int, int]]:
    """(reason, cycle, count) of every enqueued notice but the console's "joined" lines."""
    columns = notifications.c
    query = select(columns.reason, columns.cycle, columns.notice).order_by(columns.id)
    query = query.where(columns.reason != Reason.JOINED.value)
    with engine.connect() as conn:
        rows = conn.execute(query)
        return [(row.reason, row.cycle, json.loads(row.notice)["count"]) for row in rows]


def outcomes(engine: Engine) -> list[tuple[str | None, str]]:
    """(route, outcome) of every event, in the order they were processed."""
    columns = event_outcomes.c
    query = select(columns.route, columns.outcome).order_by(columns.id)
    with engine.connect() as conn:
        return [(row.route, row.outcome) for row in conn.execute(query)]
