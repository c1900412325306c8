from datetime import timedelta

from fakes.cli import OPS_AND_FINANCE
from fakes.events import NOW, TEST, make_incoming
from fakes.rules import make_rules
from sqlalchemy import Engine

from notifier.delivery import Deliverer
from notifier.metrics import Metrics
from notifier.pipeline.process import Pipeline
from notifier.store.events import IncomingEvent, insert_events
from notifier.store.silences import add_silence
from notifier.twilio.catalog import Catalog
from notifier.worker import Worker

RULES = (
    OPS_AND_FINANCE
    + f"""
[[routes]]
name = "drop-test"
match = {{ account_sid = "{TEST}" }}
drop = true

[[routes]]
name = "webhooks"
match = {{ error_code = "11200" }}
receivers = ["ops", "finance"]

[[routes]]
name = "sms"
match = {{ error_code = "30007" }}
threshold = {{ count = 3, within = "10m" }}
"""
)


def process(engine: Engine, metrics: Metrics, *items: IncomingEvent) -> None:
    with engine.begin() as conn:
        insert_events(conn, items, NOW)
    pipeline = Pipeline(lambda: make_rules(RULES), Catalog(), metrics)
    deliverer = Deliverer(engine, lambda _receiver: None, lambda: NOW)
    Worker(engine, pipeline, deliverer, clock=lambda: NOW).process_once()


def outcome_count(metrics: Metrics, route: str, outcome: str) -> float | None:
    labels = {"route": route, "outcome": outcome}
    return metrics.registry.get_sample_value("notifier_event_outcomes_total", labels)


def suppressed(metrics: Metrics, receiver: str) -> float | None:
    labels = {"receiver": receiver, "status": "suppressed"}
    return metrics.registry.get_sample_value("notifier_notifications_total", labels)


def test_every_outcome_is_counted_per_route(engine: Engine) -> None:
    metrics = Metrics()

    process(
        engine,
        metrics,
        make_incoming(),
        make_incoming(),
        make_incoming(account_sid=TEST),
        make_incoming(error_code="82002"),
        make_incoming(error_code="30007"),
    )

    assert outcome_count(metrics, "webhooks", "alerted") == 2
    assert outcome_count(metrics, "drop-test", "dropped") == 1
    assert outcome_count(metrics, "", "unmatched") == 1
    assert outcome_count(metrics, "sms", "below_threshold") == 1


def test_silenced_events_count_as_suppressed_for_each_receiver_of_the_route(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        hour = timedelta(hours=1)
        add_silence(conn, {"error_code": "11200"}, NOW - hour, NOW + hour, "deploy")
    metrics = Metrics()

    process(engine, metrics, make_incoming(), make_incoming(), make_incoming(error_code="30007"))

    assert outcome_count(metrics, "webhooks", "silenced") == 2
    assert (suppressed(metrics, "ops"), suppressed(metrics, "finance")) == (3, 2)


def test_dropped_events_are_not_suppressed_notifications(engine: Engine) -> None:
    metrics = Metrics()

    process(engine, metrics, make_incoming(account_sid=TEST))

    assert suppressed(metrics, "ops") is None
