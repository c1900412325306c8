"""Real Twilio samples (tests/data/samples) through each source's parser."""

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import TEST_DATA
from fakes.samples import (
    CREDIT_OVERDRAFT,
    DAILY_THRESHOLD,
    DOCS_CURL,
    DOCS_CURL_PAYLOAD,
    DOCS_TABLE,
    DOCS_TABLE_PAYLOAD,
    REAL_30007,
    SIP_32009,
)

from notifier.events import Event
from notifier.ingest import alarms, debugger, event_streams, fallback, usage_triggers
from notifier.ingest.request import BadRequest, Parsed, RequestData

SAMPLES = TEST_DATA / "samples"
RECEIVED = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)

SIP_MESSAGE = (
    "Your TwiML tried to Dial a Twilio SIP Registered User that is not currently registered"
)


def request(fields: Mapping[str, str] | None = None, body: Any = None) -> RequestData:
    return RequestData(
        fields=fields or {},
        json=body,
        body=json.dumps(body) if body is not None else "",
        headers={},
        received_at=RECEIVED,
    )


def parse_one(parse: Callable[[RequestData], list[Parsed]], data: RequestData) -> Parsed:
    [parsed] = parse(data)
    return parsed


def subset(event: Event, expected: Mapping[str, object]) -> dict[str, object]:
    return {name: getattr(event, name) for name in expected}


@pytest.mark.parametrize(
    ("sample", "payload_in_file"),
    [
        pytest.param("debugger-11200-docs-example.txt", DOCS_TABLE_PAYLOAD, id="docs-table"),
        pytest.param(
            "debugger-11200-docs-example.txt",
            DOCS_CURL_PAYLOAD.replace('"', '\\"'),
            id="docs-curl",
        ),
        pytest.param("debugger-30007-real-minimal.txt", REAL_30007["Payload"], id="30007"),
        pytest.param("debugger-32009-warning-sip.txt", SIP_32009["Payload"], id="32009"),
    ],
)
def test_payloads_here_are_copied_verbatim_from_the_samples(
    sample: str, payload_in_file: str
) -> None:
    assert payload_in_file in (SAMPLES / sample).read_text()


DEBUGGER_CASES = [
    pytest.param(
        DOCS_CURL,
        {
            "source": "debugger",
            "level": "error",
            "error_code": "11200",
            "message": "An attempt to retrieve content from https://yyy.zzz returned the HTTP "
            "status code 404",
            "event_sid": "NOxxxxx",
            "account_sid": "ACxxxxxxxxxxxxxxxxxxxxxxxx",
            "parent_account_sid": None,
            "resource_sid": "CAxxxxxxxx",
            "resource_type": "call",
            "service_sid": None,
            "url": "https://yyy.zzz",
            "method": None,
            "http_status": 404,
            "time": datetime(2020, 1, 1, 23, 28, 54, tzinfo=UTC),
        },
        id="11200-docs-curl",
    ),
    pytest.param(
        REAL_30007,
        {
            "level": "error",
            "error_code": "30007",
            "message": None,
            "event_sid": "NO1436992f15326b2603d79db507cedba2",
            "account_sid": "AC9a5a39b6ac47a0061bb00da10efd8264",
            "parent_account_sid": "ACffcbcc79af64899e720a5076b4e6b217",
            "resource_sid": "SMba2e5f029d1b1630bbf01232ff9b814c",
            "resource_type": "message",
            "service_sid": "SM736f35d231bd230a80c8929e50a2c24c",
            "url": None,
            "http_status": None,
            "time": datetime(2021, 10, 12, 23, 43, 53, 289000, tzinfo=UTC),
        },
        id="30007-real-minimal",
    ),
    pytest.param(
        {**SIP_32009, "Level": "WARNING"},
        {
            "level": "warning",
            "error_code": "32009",
            "message": SIP_MESSAGE,
            "account_sid": "TWILIO_ACCOUNT_SID",
            "resource_sid": "CA8339b5eb12c2b5bcd3e5e21dd836855a",
            "resource_type": "call",
            "service_sid": None,
            "url": "sip:landline@direct-futel-prod.sip.twilio.com",
            "method": "INVITE",
            "http_status": None,
            "response_body": None,
            "time": RECEIVED,
        },
        id="32009-sip-warning",
    ),
]


@pytest.mark.parametrize(("fields", "expected"), DEBUGGER_CASES)
def test_debugger_sample_is_normalised(fields: dict[str, str], expected: dict[str, object]) -> None:
    parsed = parse_one(debugger.parse, request(fields))

    assert subset(parsed.event, expected) == expected
    assert parsed.identity == fields.get("Sid")


def test_docs_payload_that_is_not_json_becomes_the_message() -> None:
    parsed = parse_one(debugger.parse, request(DOCS_TABLE))

    assert parsed.event.message == DOCS_TABLE_PAYLOAD.strip()
    assert parsed.event.level == "error"
    assert parsed.event.event_sid == "NOxxxxx"
    assert parsed.event.time == datetime(2020, 1, 1, 23, 28, 54, tzinfo=UTC)


@pytest.mark.parametrize(
    "level", [pytest.param("ERROR", id="upper"), pytest.param("Error", id="docs-case")]
)
def test_debugger_level_is_lower_cased(level: str) -> None:
    parsed = parse_one(debugger.parse, request({**REAL_30007, "Level": level}))

    assert parsed.event.level == "error"


def test_debugger_level_falls_back_to_the_payload_log_level() -> None:
    parsed = parse_one(debugger.parse, request(SIP_32009))

    assert parsed.event.level == "warning"


def test_error_code_with_message_after_comma_keeps_only_the_code() -> None:
    payload = json.loads(SIP_32009["Payload"])
    del payload["error_code"]  # only more_info.ErrorCode ("32009,Your TwiML ...") is left

    parsed = parse_one(debugger.parse, request({**SIP_32009, "Payload": json.dumps(payload)}))

    assert parsed.event.error_code == "32009"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            CREDIT_OVERDRAFT,
            {"usage_trigger_sid": "UTcredit_overdraft", "current_value": "50"},
            id="credit-overdraft-not-recurring",
        ),
        pytest.param(
            DAILY_THRESHOLD,
            {"usage_trigger_sid": "UTdaily_credit_threshold", "recurring": "daily"},
            id="daily-threshold",
        ),
    ],
)
def test_usage_trigger_sample_is_normalised(
    fields: dict[str, str], expected: dict[str, object]
) -> None:
    parsed = parse_one(usage_triggers.parse, request(fields))

    event = parsed.event
    assert subset(event, expected) == expected
    assert (event.source, event.level, event.usage_category) == (
        "usage_trigger",
        "warning",
        "totalprice",
    )
    assert (event.trigger_by, event.trigger_value) == ("quantity", fields["TriggerValue"])
    assert event.account_sid == "AC626dc6e5b03904e6270f353f4a2f068f"
    assert event.resource_type == "usage_trigger"
    assert event.time == datetime(2014, 4, 21, 9, 14, 35, tzinfo=UTC)
    assert parsed.identity == fields["IdempotencyToken"]


def test_usage_trigger_empty_recurring_is_none() -> None:
    parsed = parse_one(usage_triggers.parse, request(CREDIT_OVERDRAFT))

    assert parsed.event.recurring is None


def test_usage_trigger_message_names_category_and_values() -> None:
    parsed = parse_one(usage_triggers.parse, request(DAILY_THRESHOLD))

    assert parsed.event.message == "Usage of totalprice reached 12 (trigger at 5)"


def cloud_event(event_id: str = "EV0001", **data: Any) -> dict[str, Any]:
    payload = {
        "resource_sid": "SM0123",
        "error_code": "30003",
        "more_info": {"Msg": "Unreachable destination handset"},
        "webhook": {"request": {"url": "https://app.example.com/sms", "method": "POST"}},
    }
    return {
        "specversion": "1.0",
        "type": "com.twilio.error-logs.error.logged",
        "source": "/v1/error-logs",
        "id": event_id,
        "time": "2026-02-03T04:05:06.789Z",
        "data": {
            "sid": "NO0001",
            "account_sid": "AC0001",
            "level": "WARNING",
            "error_code": "30003",
            "product_name": "Programmable SMS",
            "service_sid": "MG0001",
            "payload": json.dumps(payload),
            **data,
        },
    }


def test_one_cloud_event_is_normalised() -> None:
    [parsed] = event_streams.parse(request(body=cloud_event()))

    expected = {
        "source": "event_stream",
        "level": "warning",
        "error_code": "30003",
        "product": "Programmable SMS",
        "message": "Unreachable destination handset",
        "event_sid": "NO0001",
        "account_sid": "AC0001",
        "resource_sid": "SM0123",
        "resource_type": "message",
        "service_sid": "MG0001",
        "url": "https://app.example.com/sms",
        "method": "POST",
        "time": datetime(2026, 2, 3, 4, 5, 6, 789000, tzinfo=UTC),
    }
    assert subset(parsed.event, expected) == expected
    assert parsed.identity == "EV0001"


def test_array_of_cloud_events_gives_one_event_each() -> None:
    body = [cloud_event("EV1"), cloud_event("EV2", error_code="11200")]

    parsed = event_streams.parse(request(body=body))

    assert [p.identity for p in parsed] == ["EV1", "EV2"]
    assert [p.event.error_code for p in parsed] == ["30003", "11200"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({**cloud_event(), "id": ""}, r"CloudEvent #0 has no 'id'", id="empty-id"),
        pytest.param(
            [cloud_event(), {"type": "x"}], r"CloudEvent #1 has no 'id'", id="second-without-id"
        ),
        pytest.param([], r"an empty array holds no CloudEvent", id="empty-array"),
        pytest.param(["EV1"], r"CloudEvent #0 is not a JSON object", id="not-an-object"),
    ],
)
def test_cloud_event_without_id_is_a_bad_request(body: Any, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        event_streams.parse(request(body=body))


def fallback_fields(**fields: str) -> dict[str, str]:
    return {
        "AccountSid": "AC0001",
        "From": "+15005550006",
        "To": "+15005550001",
        "ErrorCode": "11200",
        "ErrorUrl": "https://app.example.com/voice",
        **fields,
    }


@pytest.mark.parametrize(
    ("sid_field", "sid", "resource"),
    [
        pytest.param("CallSid", "CA0001", "call", id="voice"),
        pytest.param("MessageSid", "SM0001", "message", id="messaging"),
        pytest.param("SmsSid", "SM0002", "message", id="legacy-sms"),
    ],
)
def test_fallback_hit_is_an_error_on_its_call_or_message(
    sid_field: str, sid: str, resource: str
) -> None:
    parsed = parse_one(fallback.parse, request(fallback_fields(**{sid_field: sid})))

    expected = {
        "source": "fallback",
        "level": "error",
        "error_code": "11200",
        "resource_sid": sid,
        "resource_type": resource,
        "url": "https://app.example.com/voice",
        "time": RECEIVED,
    }
    assert subset(parsed.event, expected) == expected
    assert parsed.identity == f"{sid}:11200"


ALARM = {
    "AccountSid": "AC0001",
    "AppMonitorTriggerSid": "AT0001",
    "CurrentValue": "12",
    "DateFired": "2026-02-03T04:05:06Z",
    "Description": "More than 10 errors 11200 in 5 minutes",
    "ErrorCode": "11200",
    "IdempotencyToken": "alarm-0001",
    "Log": "warning",
    "TimePeriod": "5m",
    "TriggerValue": "10",
}


@pytest.mark.parametrize(
    "data",
    [pytest.param(request(ALARM), id="form"), pytest.param(request(body=ALARM), id="json")],
)
def test_alarm_form_and_json_give_the_same_event(data: RequestData) -> None:
    parsed = parse_one(alarms.parse, data)

    expected = {
        "source": "alarm",
        "level": "warning",
        "error_code": "11200",
        "message": "More than 10 errors 11200 in 5 minutes",
        "resource_sid": "AT0001",
        "resource_type": "alarm",
        "trigger_value": "10",
        "current_value": "12",
        "time": datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
    }
    assert subset(parsed.event, expected) == expected
    assert parsed.identity == "alarm-0001"


def test_alarm_json_that_is_not_an_object_is_a_bad_request() -> None:
    with pytest.raises(BadRequest, match="an alarm's JSON body must be an object"):
        alarms.parse(request(body=[ALARM]))


@pytest.mark.parametrize(
    ("parse", "fields"),
    [
        pytest.param(debugger.parse, REAL_30007, id="debugger"),
        pytest.param(usage_triggers.parse, DAILY_THRESHOLD, id="usage-trigger"),
        pytest.param(alarms.parse, ALARM, id="alarm"),
        pytest.param(fallback.parse, fallback_fields(CallSid="CA1"), id="fallback"),
    ],
)
def test_missing_account_sid_is_a_bad_request(
    parse: Callable[[RequestData], list[Parsed]], fields: dict[str, str]
) -> None:
    without = {name: value for name, value in fields.items() if name != "AccountSid"}

    with pytest.raises(BadRequest, match=r"missing required field\(s\): AccountSid"):
        parse(request(without))


def test_usage_trigger_without_its_sid_is_a_bad_request() -> None:
    without = {k: v for k, v in DAILY_THRESHOLD.items() if k != "UsageTriggerSid"}

    with pytest.raises(BadRequest, match=r"missing required field\(s\): UsageTriggerSid"):
        usage_triggers.parse(request(without))
