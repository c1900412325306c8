"""A real `notifier serve` posting to a FakeSlack, with interactivity on, and what Slack does
with it: send it Twilio events, read the buttons off the messages it posted, click them and
type `/twilio-alerts`, every request signed as Slack signs it."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from fakes.bot import Bot
from fakes.slack import FakeSlack
from fakes.slack_signing import click_body, command_body, signed_headers
from fakes.wait import wait_until
from notifier.simulate import sample
from notifier.twilio.signature import sign

T = TypeVar("T")
ACTIONS_BLOCK = "twilio_alerts.actions"
ACTED_BLOCK = "twilio_alerts.acted"


@dataclass(frozen=True)
class SlackBot:
    bot: Bot
    slack: FakeSlack
    env: dict[str, str]

    def send_event(self, code: str) -> None:
        """A signed Debugger webhook for error `code` (a fresh event each time)."""
        request = sample("debugger", code)
        assert request.form is not None
        url = f"{self.bot.url}{request.path}"
        headers = {
            "Content-Type": request.content_type,
            "X-Twilio-Signature": sign("tok", url, request.form),
        }
        answer = httpx.post(url, content=request.body, headers=headers, timeout=10)
        assert answer.status_code == 200, answer.text

    def alert(self, code: str) -> dict[str, Any]:
        """The group message the bot posted for `code`, as Slack holds it now (a copy: later
        edits do not change it)."""
        found = wait_until(lambda: self._message(code), f"an alert for {code}", self.bot.log)
        return copy.deepcopy(found)

    def _message(self, code: str) -> dict[str, Any] | None:
        found = [
            m for m in self.slack.messages if m["thread_ts"] is None and code in str(m["text"])
        ]
        return found[-1] if found else None

    def click(
        self, message: dict[str, Any], label: str, user: str = "U123ABC", name: str = "alice"
    ) -> tuple[httpx.Response, str]:
        """Press the button `label` on `message`; the answer and the click's response_url."""
        url = self.slack.response_url(message)
        body = click_body(button(message, label), message, url, user, name)
        return self.post("/slack/actions", body), url

    def command(self, text: str, user: str = "U123ABC") -> tuple[httpx.Response, str]:
        url = self.slack.response_url()
        return self.post("/slack/commands", command_body(text, url, user)), url

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        signed = signed_headers(body) if headers is None else headers
        return httpx.post(f"{self.bot.url}{path}", content=body, headers=signed, timeout=10)

    def response(self, url: str) -> dict[str, Any]:
        """The (first) answer the bot posted to `url`."""
        url_id = url.rsplit("/", 1)[-1]
        return wait_until(
            lambda: next((r for r in self.slack.responses if r["url_id"] == url_id), None),
            f"an answer on {url_id}",
            self.bot.log,
        )

    def metric(self, prefix: str) -> float:
        lines = httpx.get(f"{self.bot.url}/metrics", timeout=10).text.splitlines()
        return sum(float(line.split(" ")[-1]) for line in lines if line.startswith(prefix))


def blocks_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = message.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in blocks_of(message)
        if block.get("block_id") == ACTIONS_BLOCK
        for element in block["elements"]
    ]


def labels(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in buttons(message)]


def button(message: dict[str, Any], label: str) -> dict[str, Any]:
    found = [b for b in buttons(message) if b["text"]["text"] == label]
    assert found, f"no button {label!r} among {labels(message)}"
    return found[0]


def acted_line(message: dict[str, Any]) -> str | None:
    for block in blocks_of(message):
        if block.get("block_id") == ACTED_BLOCK:
            return str(block["elements"][0]["text"])
    return None
