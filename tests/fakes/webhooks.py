"""Signed Twilio Debugger webhooks, sent to a real bot until it stops answering."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Iterator, Sequence

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


@contextlib.contextmanager
def sending(base: str, streams: Sequence[Iterable[int]], until: int) -> Iterator[list[str]]:
    """A thread per stream of numbers, each `send_until_refused`. Yields the Sids acknowledged
    once there are `until` of them (or 60 s have passed), for the caller to stop the bot; on
    leaving, waits for the threads, which end once the bot refuses or is gone."""
    acknowledged: list[str] = []
    threads = [
        threading.Thread(target=send_until_refused, args=(base, numbers, acknowledged))
        for numbers in streams
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < until and time.monotonic() < deadline:
        time.sleep(0.001)
    try:
        yield acknowledged
    finally:
        for thread in threads:
            thread.join(timeout=30)
