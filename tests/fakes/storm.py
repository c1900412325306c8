"""A storm of signed Twilio debugger webhooks, sent from several threads as Twilio sends them,
with every answer recorded: `storm = Storm(targets, retry_until=...)`, `storm.start()`, ...,
`storm.join()`, then `storm.acknowledged()`.

Twilio retries a webhook that was not answered 2xx (connection overrides `#rc=3&rp=all`,
https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides), so with `retry_until`
each event is sent again after a refusal or a timeout until it is acknowledged.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from notifier.twilio.signature import sign

TOKEN = "tok"  # the auth token of fakes.bot.bot_env
ACCOUNT = "AC" + "0" * 32
# Longer than any answer should take: a request still unanswered then counts as a hang (0).
ANSWER_SECONDS = 5.0
RETRY_PAUSE = 0.1


def debugger_fields(number: int, error_code: str) -> dict[str, str]:
    """The form Twilio's debugger webhook posts for one alert, its Sid made from `number`."""
    payload = {"resource_sid": f"CA{number:032d}", "error_code": error_code}
    return {
        "AccountSid": ACCOUNT,
        "Sid": f"NO{number:032d}",
        "Level": "ERROR",
        "Timestamp": "2026-03-04T05:06:07Z",
        "Payload": json.dumps(payload),
    }


@dataclass(frozen=True)
class Answer:
    sid: str
    status: int  # 0: no answer within ANSWER_SECONDS, or no connection
    started: float  # time.monotonic()
    seconds: float
    retry_after: str | None  # the Retry-After header of a refusal


class Storm:
    """Each target is (base URL of a web process, form fields); `threads` send them in turn."""

    def __init__(
        self,
        targets: Sequence[tuple[str, dict[str, str]]],
        *,
        threads: int = 6,
        retry_until: float | None = None,  # a time.monotonic() deadline
    ) -> None:
        self._targets = targets
        self._retry_until = retry_until
        self.answers: list[Answer] = []  # list.append is atomic
        self._threads = [
            threading.Thread(target=self._send, args=(targets[i::threads],), daemon=True)
            for i in range(threads)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        alive = sum(thread.is_alive() for thread in self._threads)
        assert alive == 0, f"{alive} senders still running after {seconds:g} s"

    def acknowledged(self) -> list[str]:
        """The Sid of each 200, redeliveries included."""
        return [answer.sid for answer in self.answers if answer.status == 200]

    def wait_for(self, count: int, seconds: float) -> None:
        """Until `count` requests were acknowledged."""
        deadline = time.monotonic() + seconds
        while len(self.acknowledged()) < count:
            assert time.monotonic() < deadline, f"fewer than {count} acknowledged in {seconds:g} s"
            time.sleep(0.01)

    def _send(self, targets: Sequence[tuple[str, dict[str, str]]]) -> None:
        with httpx.Client(timeout=ANSWER_SECONDS) as client:
            for base, fields in targets:
                while self._post(client, f"{base}/twilio/debugger", fields) != 200:
                    if self._retry_until is None or time.monotonic() > self._retry_until:
                        break
                    time.sleep(RETRY_PAUSE)

    def _post(self, client: httpx.Client, url: str, fields: dict[str, str]) -> int:
        headers = {"X-Twilio-Signature": sign(TOKEN, url, fields)}
        started = time.monotonic()
        try:
            response = client.post(url, data=fields, headers=headers)
        except httpx.TransportError:
            status, retry_after = 0, None
        else:
            status, retry_after = response.status_code, response.headers.get("Retry-After")
        seconds = time.monotonic() - started
        self.answers.append(Answer(fields["Sid"], status, started, seconds, retry_after))
        return status
