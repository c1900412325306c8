"""The debugger `Payload` JSON (also inside Event Streams error logs), read defensively."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from notifier.ingest.request import text_or_none


class PayloadFields(NamedTuple):
    resource_sid: str | None = None
    service_sid: str | None = None
    error_code: str | None = None
    message: str | None = None
    url: str | None = None
    method: str | None = None
    http_status: int | None = None
    response_body: str | None = None
    log_level: str | None = None


def parse_payload(raw: object) -> PayloadFields:
    """Whatever can be read; a payload that is not a JSON object becomes the message."""
    if isinstance(raw, dict):
        data: Any = raw
    else:
        try:
            data = json.loads(str(raw)) if raw else {}
        except (ValueError, RecursionError):
            data = None
    if not isinstance(data, dict):
        return PayloadFields(message=text_or_none(raw))
    more_info = _object(data.get("more_info"))
    webhook = _object(data.get("webhook"))
    request = _object(webhook.get("request"))
    response = _object(webhook.get("response"))
    return PayloadFields(
        resource_sid=text_or_none(data.get("resource_sid")),
        service_sid=text_or_none(data.get("service_sid")),
        error_code=_error_code(data.get("error_code") or more_info.get("ErrorCode")),
        message=text_or_none(more_info.get("Msg") or more_info.get("msg") or data.get("message")),
        url=text_or_none(request.get("url") or more_info.get("url")),
        method=text_or_none(request.get("method")),
        http_status=_status(response.get("status_code") or more_info.get("httpResponse")),
        response_body=text_or_none(response.get("body"), limit=2000),
        log_level=text_or_none(more_info.get("LogLevel")),
    )


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _error_code(value: object) -> str | None:
    # more_info.ErrorCode is sometimes "32009,<message>".
    text = text_or_none(value)
    return text.split(",", 1)[0].strip() or None if text else None


def _status(value: object) -> int | None:
    try:
        status = int(str(value).strip())
    except ValueError:
        return None
    return status if 100 <= status <= 999 else None
