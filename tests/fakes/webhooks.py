"""Signed Twilio Debugger webhooks, sent to a real bot until it stops answering."""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from fakes.storm import TOKEN, debugger_fields
from notifier.twilio.signature import sign


def send_until_refused(base: str, numbers: Iterable[int], acknowledged: list[str]) -> None:
    """POSTs each event signed with token "tok"; the Sids answered 200 go to `acknowledged`.
    Returns when the numbers run out or the server is gone."""
    url = f"{base}/twilio/debugger"
    with httpx.Client(timeout=10) as client:
        for number in numbers:
            fields = debugger_fields(number, "11200")
            headers = {"X-Twilio-Signature": sign(TOKEN, url, fields)}
            try:
                response = client.post(url, data=fields, headers=headers)
            except httpx.TransportError:
                return  # the server is gone
            if response.status_code == 200:
                acknowledged.append(fields["Sid"])  # list.append is atomic
