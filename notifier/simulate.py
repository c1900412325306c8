"""Sample webhooks of every kind, as Twilio would send them, for `notifier simulate`."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlencode

SAMPLE_ACCOUNT = "AC" + "0" * 32
KINDS = ("debugger", "usage-trigger", "alarm", "event-stream", "fallback")


@dataclass(frozen=True)
class SampleRequest:
    path: str
    content_type: str
    body: str
    form: dict[str, str] | None  # the signed fields of a form body


def sample(kind: str, code: str | None = None) -> SampleRequest:
    """A fresh sample of `kind`; each kind has its own realistic error code (a usage trigger
    has none), so that one simulation of each kind makes one alert of each."""
    if kind not in _SAMPLES:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    build = _SAMPLES[kind]
    return build(code or DEFAULT_CODES.get(kind, ""), secrets.token_hex(16), datetime.now(UTC))


def _form(path: str, fields: dict[str, str]) -> SampleRequest:
    return SampleRequest(path, "application/x-www-form-urlencoded", urlencode(fields), fields)


def _debugger(code: str, unique: str, now: datetime) -> SampleRequest:
    payload = {
        "resource_sid": "CA" + unique,
        "service_sid": None,
        "error_code": code,
        "more_info": {
            "Msg": "An attempt to retrieve content from https://example.com/voice "
            "returned the HTTP status code 502",
            "url": "https://example.com/voice",
            "httpResponse": "502",
        },
        "webhook": {
            "type": "application/json",
            "request": {"url": "https://example.com/voice", "method": "POST"},
            "response": {"status_code": 502, "body": "Bad Gateway"},
        },
    }
    return _form(
        "/twilio/debugger",
        {
            "Sid": "NO" + unique,
            "AccountSid": SAMPLE_ACCOUNT,
            "ParentAccountSid": "",
            "Timestamp": now.isoformat().replace("+00:00", "Z"),
            "Level": "ERROR",
            "PayloadType": "application/json",
            "Payload": json.dumps(payload),
        },
    )


def _usage_trigger(code: str, unique: str, now: datetime) -> SampleRequest:
    return _form(
        "/twilio/usage-triggers",
        {
            "AccountSid": SAMPLE_ACCOUNT,
            "UsageTriggerSid": "UT" + unique,
            "DateFired": format_datetime(now),
            "Recurring": "daily",
            "UsageCategory": "totalprice",
            "TriggerBy": "price",
            "TriggerValue": "50",
            "CurrentValue": "50.25",
            "UsageRecordUri": f"/2010-04-01/Accounts/{SAMPLE_ACCOUNT}/Usage/Records/Daily",
            "IdempotencyToken": f"{SAMPLE_ACCOUNT}-FIRES-UT{unique}",
        },
    )


def _alarm(code: str, unique: str, now: datetime) -> SampleRequest:
    return _form(
        "/twilio/alarms",
        {
            "AccountSid": SAMPLE_ACCOUNT,
            "AppMonitorTriggerSid": "AT" + unique,
            "CurrentValue": "12",
            "DateFired": now.isoformat().replace("+00:00", "Z"),
            "Description": f"More than 10 errors {code} in 5 minutes",
            "ErrorCode": code,
            "IdempotencyToken": f"alarm-{unique}",
            "Log": "error",
            "TimePeriod": "5m",
            "TriggerValue": "10",
        },
    )


def _fallback(code: str, unique: str, now: datetime) -> SampleRequest:
    return _form(
        "/twilio/fallback",
        {
            "AccountSid": SAMPLE_ACCOUNT,
            "CallSid": "CA" + unique,
            "From": "+15005550006",
            "To": "+15005550001",
            "CallStatus": "ringing",
            "Direction": "inbound",
            "ErrorCode": code,
            "ErrorUrl": "https://example.com/voice",
        },
    )


def _event_stream(code: str, unique: str, now: datetime) -> SampleRequest:
    message = "Message SM" + unique + " to +15005550009 was not delivered: the handset is off"
    payload = {"resource_sid": "SM" + unique, "error_code": code, "more_info": {"Msg": message}}
    cloud_event = {
        "specversion": "1.0",
        "type": "com.twilio.error-logs.error.logged",
        "source": "/v1/error-logs",
        "id": "EV" + unique,
        "time": now.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": {
            "sid": "NO" + unique,
            "account_sid": SAMPLE_ACCOUNT,
            "level": "ERROR",
            "error_code": code,
            "product_name": "Messaging",
            "service_sid": None,
            "payload": json.dumps(payload),
        },
    }
    body = json.dumps([cloud_event])
    digest = hashlib.sha256(body.encode()).hexdigest()
    return SampleRequest(
        f"/twilio/event-streams?bodySHA256={digest}", "application/json", body, None
    )


# One realistic code per kind: the debugger's webhook failure, a Console alarm on filtered
# messages, an undelivered message from Event Streams, the primary URL refusing connections.
DEFAULT_CODES: dict[str, str] = {
    "debugger": "11200",
    "alarm": "30007",
    "event-stream": "30003",
    "fallback": "11205",
}
_SAMPLES: dict[str, Callable[[str, str, datetime], SampleRequest]] = {
    "debugger": _debugger,
    "usage-trigger": _usage_trigger,
    "alarm": _alarm,
    "event-stream": _event_stream,
    "fallback": _fallback,
}
