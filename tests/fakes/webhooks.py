"""Signed Twilio Debugger webhooks, sent to a real bot until it stops answering."""

from __future__ import annotations

import json
from collections.abc import Iterable

import httpx

from notifier.twilio.signature import sign


def debugger_event(number: int) -> dict[str, str]:
    """The form fields of Debugger event `number`: Sid NO<number>, error 11200, one account."""
    payload = {"resource_sid": f"CA{number:032d}", "error_code": "11200"}
    return {
        "AccountSid": "AC" + "0" * 32,
        "Sid": f"NO{number:032d}",
        "Level": "ERROR",
        "Timestamp": "2026-03-04T05:06:07Z",
        "Payload": json.dumps(payload),
    }


def send_until_refused(base: str, numbers: Iterable[int], acknowledged: list[str]) -> None:
    """POSTs each event signed with token "tok"; the Sids answered 200 go to `acknowledged`.
    Returns when the numbers run out or the server is gone."""
    url = f"{base}/twilio/debugger"
    with httpx.Client(timeout=10) as client:
        for number in numbers:
            fields = debugger_event(number)
            headers = {"X-Twilio-Signature": sign("tok", url, fields)}
            try:
                response = client.post(url, data=fields, headers=headers)
            except httpx.TransportError:
                return  # the server is gone
            if response.status_code == 200:
                acknowledged.append(fields["Sid"])  # list.append is atomic
