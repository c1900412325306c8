from __future__ import annotations

from datetime import timedelta

import pytest
from fakes.digests import at, store_delivery, store_event
from sqlalchemy import Engine

from notifier.digest.build import CodeLine, DigestReport, Fired, build_report
from notifier.rules.match import compile_value
from notifier.rules.model import Digest, Matcher
from notifier.twilio.catalog import Catalog, ErrorCode

DAILY = Digest(name="morning", schedule="0 0 * * *", receivers=("local",))
CATALOG = Catalog({"11200": ErrorCode("11200", "HTTP retrieval failure", "Programmable Voice")})
ACME, BETA = "AC" + "a" * 32, "AC" + "b" * 32
START, END = at(10, 0), at(11, 0)


def store_fixed_set(engine: Engine) -> None:
    """The debugger, usage-trigger and alarm samples replicated with known counts."""
    # The previous day: 11200 twice, 30007 four times; a day earlier still, nothing else.
    for hour in (1, 2):
        store_event(engine, at(9, hour), error_code="11200", account_sid=ACME)
    for hour in (3, 4, 5, 6):
        store_event(engine, at(9, hour), error_code="30007", account_sid=ACME)
    # The period: 11200 five times (3 ACME on CA1, 2 BETA on CA2) with varied outcomes.
    for hour, account, resource, outcome in (
        (1, ACME, "CA1", "alerted"),
        (2, ACME, "CA1", "alerted"),
        (3, ACME, "CA1", "silenced"),
        (4, BETA, "CA2", "alerted"),
        (5, BETA, "CA2", "below_threshold"),
    ):
        store_event(
            engine,
            at(10, hour),
            error_code="11200",
            account_sid=account,
            resource_sid=resource,
            outcome=("webhook-failures", outcome),
        )
    for hour, outcome in ((6, "alerted"), (7, "muted")):
        store_event(
            engine,
            at(10, hour),
            level="warning",
            error_code="30007",
            account_sid=ACME,
            resource_sid="SM1",
            outcome=("everything-else", outcome),
        )
    store_event(
        engine,
        at(10, 8),
        level="warning",
        error_code="32009",
        account_sid=BETA,
        outcome=("ignore-test-account", "dropped"),
    )
    store_event(
        engine,
        at(10, 9),
        source="usage_trigger",
        level="info",
        account_sid=ACME,
        usage_category="totalprice",
        trigger_value="1000",
        current_value="50",
        outcome=("billing", "alerted"),
    )
    store_event(
        engine,
        at(10, 10),
        source="alarm",
        level="warning",
        message="Webhook errors",
        outcome=(None, "unmatched"),
    )
    # After the period: not counted.
    store_event(engine, at(11, 0), error_code="11200", account_sid=ACME)
    store_delivery(engine, at(9, 23), "failed", "before the period")
    store_delivery(engine, at(10, 4), "failed", "channel_not_found")
    store_delivery(engine, at(10, 5), "failed", "invalid_auth")
    store_delivery(engine, at(10, 6), "sent")


def build(engine: Engine, digest: Digest = DAILY) -> DigestReport:
    with engine.connect() as conn:
        return build_report(conn, digest, START, END, CATALOG)


def test_totals_count_events_by_level_and_source_and_against_the_day_before(engine: Engine) -> None:
    store_fixed_set(engine)
    report = build(engine)
    assert (report.total, report.previous_total) == (10, 6)
    assert report.by_level == {"error": 5, "warning": 4, "info": 1}
    assert report.by_source == {"debugger": 8, "usage_trigger": 1, "alarm": 1}


def test_each_code_has_its_count_trend_times_top_accounts_and_resources(engine: Engine) -> None:
    store_fixed_set(engine)
    report = build(engine)
    assert report.codes == (
        CodeLine(
            code="11200",
            count=5,
            previous=2,
            first_seen=at(10, 1),
            last_seen=at(10, 5),
            new=False,
            message="HTTP retrieval failure",
            product="Programmable Voice",
            top_accounts=((ACME, 3), (BETA, 2)),
            top_resources=(("CA1", 3), ("CA2", 2)),
        ),
        CodeLine(
            "30007", 2, 4, at(10, 6), at(10, 7), False, None, None, ((ACME, 2),), (("SM1", 2),)
        ),
        CodeLine("32009", 1, 0, at(10, 8), at(10, 8), True, None, None, ((BETA, 1),), ()),
    )
    assert report.more_codes == 0


def test_a_code_never_stored_before_the_period_is_new(engine: Engine) -> None:
    store_fixed_set(engine)
    assert build(engine).new_codes == ("32009",)


def test_outcomes_are_counted_per_route_and_suppressed_per_reason(engine: Engine) -> None:
    store_fixed_set(engine)
    report = build(engine)
    assert report.routes == {
        "billing": {"alerted": 1},
        "everything-else": {"alerted": 1, "muted": 1},
        "ignore-test-account": {"dropped": 1},
        "webhook-failures": {"alerted": 3, "silenced": 1, "below_threshold": 1},
    }
    assert report.suppressed == {
        "dropped": 1,
        "silenced": 1,
        "inhibited": 0,
        "muted": 1,
        "below_threshold": 1,
    }
    assert report.unmatched == 1


def test_usage_triggers_and_alarms_fired_are_listed_with_their_values(engine: Engine) -> None:
    store_fixed_set(engine)
    report = build(engine)
    assert report.fired_total == 2
    assert report.fired == (
        Fired("usage_trigger", at(10, 9), ACME, "totalprice", "1000", "50"),
        Fired("alarm", at(10, 10), None, "Webhook errors", None, None),
    )


def test_only_deliveries_that_failed_in_the_period_are_reported(engine: Engine) -> None:
    store_fixed_set(engine)
    (failed,) = build(engine).failed
    assert (failed.route, failed.receiver, failed.count) == ("webhook-failures", "ops", 2)
    assert failed.last_error in {"channel_not_found", "invalid_auth"}


def test_a_scoped_digest_counts_only_matching_events(engine: Engine) -> None:
    store_fixed_set(engine)
    warnings = Matcher(
        equal={"level": compile_value("level", ["WARNING"])},
        exclude={"error_code": compile_value("error_code", ["32000-32999"])},
    )
    report = build(engine, Digest("warnings", "0 0 * * *", ("local",), warnings))
    assert (report.total, report.previous_total) == (3, 0)
    assert [line.code for line in report.codes] == ["30007"]
    assert report.new_codes == ("30007",)
    assert report.by_source == {"debugger": 2, "alarm": 1}


def test_a_scope_on_a_field_without_a_column_is_refused_by_name(engine: Engine) -> None:
    by_url = Matcher(equal={"url": compile_value("url", ["https://x"])})
    with pytest.raises(ValueError, match='field "url" cannot scope a digest'):
        build(engine, Digest("urls", "0 0 * * *", ("local",), by_url))


def test_codes_beyond_the_top_ten_are_summarised_as_a_count(engine: Engine) -> None:
    for number in range(12):
        for _ in range(number + 1):
            store_event(
                engine, at(10, 1) + timedelta(minutes=number), error_code=str(20000 + number)
            )
    report = build(engine)
    assert [line.code for line in report.codes][:2] == ["20011", "20010"]
    assert (len(report.codes), report.more_codes) == (10, 2)


def test_an_empty_period_is_quiet(engine: Engine) -> None:
    store_event(engine, at(9, 12), error_code="11200")
    report = build(engine)
    assert report.quiet and report.total == 0 and report.previous_total == 1


def test_the_previous_period_counts_events_without_an_error_code(engine: Engine) -> None:
    store_event(engine, at(9, 12), source="usage_trigger", level="info")
    store_event(engine, at(10, 12), error_code="11200")
    report = build(engine)
    assert (report.total, report.previous_total) == (1, 1)


def test_first_and_last_seen_are_when_the_code_was_received_in_the_period(engine: Engine) -> None:
    for hour in (3, 1, 7):
        store_event(engine, at(10, hour), error_code="11200")
    (line,) = build(engine).codes
    assert (line.first_seen, line.last_seen) == (at(10, 1), at(10, 7))
