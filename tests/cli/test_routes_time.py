"""`notifier routes test` judges an event as the worker would if it arrived now."""

from datetime import timedelta

import pytest
from fakes.cli import database_fixture
from fakes.events import PROD
from fakes.rules import CONSOLE_RULES, make_rules

from notifier.cli import main
from notifier.delivery import Deliverer
from notifier.events import Event, utcnow
from notifier.pipeline.process import Pipeline
from notifier.store.engine import make_engine
from notifier.store.events import IncomingEvent, insert_events
from notifier.store.migrations import migrate
from notifier.twilio.catalog import Catalog
from notifier.worker import Worker

RULES = (
    CONSOLE_RULES
    + """
[[routes]]
name = "webhooks"
match = { error_code = ["11200"] }

[[inhibit]]
when = { error_code = "11205" }
suppress = { error_code = "11200" }
equal = ["account_sid"]
for = "10m"
"""
)

database = database_fixture(RULES)


def process_now(url: str, event: Event) -> None:
    """Receive `event` now and let the worker process it."""
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        insert_events(conn, [IncomingEvent("NO" + "5" * 32, event, "{}", {})], utcnow())
    pipeline = Pipeline(lambda: make_rules(RULES), Catalog())
    Worker(engine, pipeline, Deliverer(engine, lambda _receiver: None, utcnow)).process_once()
    engine.dispose()


def test_event_delivered_late_inhibits_what_arrives_after_it(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stamped = utcnow() - timedelta(hours=3)  # Twilio's timestamp on a late delivery
    process_now(database, Event("debugger", stamped, error_code="11205", account_sid=PROD))

    assert main(["routes", "test", "error_code=11200", f"account_sid={PROD}"]) == 0

    assert "  now:        inhibited" in capsys.readouterr().out.splitlines()
