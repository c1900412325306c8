"""A receiver with several channels: one outbox row per channel, each sent and retried alone."""

from typing import Any

from fakes import delivery
from fakes.bot import free_port
from fakes.delivery import Clock, outbox, queue, run, slack_settings
from fakes.notices import make_notice
from fakes.slack import FakeSlack
from fakes.smtp import Inbox, smtp_server
from sqlalchemy import Engine, select

from notifier.delivery import Deliverer
from notifier.events import Event
from notifier.notices import Reason
from notifier.pipeline.process import Pipeline
from notifier.rules.load import parse_rules
from notifier.rules.model import EmailConfig, Receiver, SlackApiConfig
from notifier.store.events import IncomingEvent, insert_events
from notifier.store.schema import notifications
from notifier.twilio.catalog import Catalog
from notifier.worker import Worker

OPS = Receiver("ops", (SlackApiConfig("#a"), SlackApiConfig("#b"), EmailConfig(("o@x.org",))))


def rows(engine: Engine) -> list[Any]:
    return outbox(engine, "receiver", "channel", "status")


def test_one_notice_to_a_receiver_with_three_channels_reaches_each_once(engine: Engine) -> None:
    inbox = Inbox()

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice("webhooks|11200", "ops"), rules=delivery.rules_of(OPS))
        await deliverer.run_once()

    with FakeSlack() as slack, smtp_server(inbox) as port:
        smtp = {"smtp_url": f"smtp://127.0.0.1:{port}", "email_from": "bot@x.org"}
        run(engine, delivery.rules_of(OPS), slack_settings(slack, **smtp), Clock(), scenario)
        assert sorted(message["channel"] for message in slack.messages) == ["#a", "#b"]
    assert len(inbox.messages) == 1
    assert [tuple(row) for row in rows(engine)] == [
        ("ops", "slack:#a", "sent"),
        ("ops", "slack:#b", "sent"),
        ("ops", "email:o@x.org", "sent"),
    ]


def test_a_failing_channel_is_retried_alone_while_the_others_are_sent(engine: Engine) -> None:
    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice("webhooks|11200", "ops"), rules=delivery.rules_of(OPS))
        await deliverer.run_once()

    with FakeSlack() as slack:
        smtp = {"smtp_url": f"smtp://127.0.0.1:{free_port()}", "email_from": "bot@x.org"}
        run(engine, delivery.rules_of(OPS), slack_settings(slack, **smtp), Clock(), scenario)
        assert len(slack.messages) == 2
    assert [row.status for row in rows(engine)] == ["sent", "sent", "pending"]


def test_each_slack_channel_of_a_receiver_edits_its_own_message(engine: Engine) -> None:
    clock = Clock()
    rules = delivery.rules_of(Receiver("ops", (SlackApiConfig("#a"), SlackApiConfig("#b"))))

    async def scenario(deliverer: Deliverer) -> None:
        queue(engine, make_notice("g", "ops"), rules=rules)
        await deliverer.run_once()
        clock.now = clock.now.replace(second=2)
        queue(engine, make_notice("g", "ops", reason=Reason.NEW_IN_GROUP), rules=rules)
        await deliverer.run_once()

    with FakeSlack() as slack:
        run(engine, rules, slack_settings(slack), clock, scenario)
        posted = {message["ts"]: message["channel"] for message in slack.messages}
        edited = sorted(posted[update["ts"]] for update in slack.updates)
    assert edited == ["#a", "#b"]


def test_the_pipeline_queues_one_row_per_channel_of_each_receiver(engine: Engine) -> None:
    text = '[receivers.ops]\nslack = { channel = "#a" }\nemail = { to = ["o@x.org"] }\n'
    rules = parse_rules(text + '[[routes]]\nname = "all"\nreceivers = ["ops"]\n', "r.toml", {})
    clock = Clock()
    event = Event(source="debugger", time=clock.now, error_code="11200")
    with engine.begin() as conn:
        insert_events(conn, [IncomingEvent("NO1", event, "{}", {})], clock.now)
    deliverer = Deliverer(engine, lambda _receiver: None, clock)
    Worker(engine, Pipeline(lambda: rules, Catalog()), deliverer, clock=clock).process_once()
    assert [tuple(row) for row in rows(engine)] == [
        ("ops", "slack:#a", "pending"),
        ("ops", "email:o@x.org", "pending"),
    ]


def test_an_event_joining_a_group_is_queued_for_the_console_alone(engine: Engine) -> None:
    text = '[receivers.ops]\nslack = { channel = "#a" }\nconsole = {}\n'
    text += '[receivers.mail]\nemail = { to = ["o@x.org"] }\n'
    rules = parse_rules(text + '[[routes]]\nname = "all"\nreceivers = ["ops", "mail"]\n', "r", {})
    clock = Clock()
    deliverer = Deliverer(engine, lambda _receiver: None, clock)
    worker = Worker(engine, Pipeline(lambda: rules, Catalog()), deliverer, clock=clock)
    for sid in ("NO1", "NO2"):  # the second joins the first's group within its group_interval
        event = Event(source="debugger", time=clock.now, error_code="11200")
        with engine.begin() as conn:
            insert_events(conn, [IncomingEvent(sid, event, "{}", {})], clock.now)
        worker.process_once()

    query = select(notifications.c.channel, notifications.c.reason).order_by(notifications.c.id)
    with engine.connect() as conn:
        queued = [tuple(row) for row in conn.execute(query)]
    assert queued == [
        ("slack:#a", "first"),
        ("console", "first"),
        ("email:o@x.org", "first"),
        ("console", "joined"),
    ]
