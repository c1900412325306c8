"""The console: a readable block on stdout (the quick start's receiver); never paced."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from notifier.delivery.channel import Checked
from notifier.delivery.outcome import Paced, Sent
from notifier.delivery.transports import Transports
from notifier.digest.build import DigestReport
from notifier.digest.render import render_text
from notifier.notices import Notice
from notifier.render.console import render_console
from notifier.render.context import RenderContext
from notifier.render.escape import terminal
from notifier.rules.model import ConsoleConfig
from notifier.store.outbox import Delivery


def print_notice(text: str, stream: TextIO) -> Sent:
    """Write one rendered block, escaped for the terminal, and flush, so it shows up at once in
    `docker logs` and friends."""
    block = terminal(text, keep_newlines=True)
    stream.write(block if block.endswith("\n") else block + "\n")
    stream.flush()
    return Sent()


class ConsoleChannel:
    lane = None

    def __init__(self, config: ConsoleConfig, receiver: str, transports: Transports) -> None:
        self.key = config.key
        self._t = transports

    def render(self, notice: Notice, ctx: RenderContext) -> str:
        return render_console(notice, ctx)

    def render_digest(self, report: DigestReport, ctx: RenderContext) -> dict[str, Any]:
        return {"text": render_text(report, ctx)}

    def digest_message(self, payload: dict[str, Any]) -> str:
        return str(payload["text"])

    def show(self, message: str, *, html: bool) -> str:
        return message.rstrip("\n")

    async def send(self, delivery: Delivery, message: str) -> Paced:
        return print_notice(message, self._t.out or sys.stdout)

    async def fold(self, deliveries: list[Delivery]) -> Paced:
        raise NotImplementedError("the console is not paced, so never folded")

    async def check(self) -> Checked:
        return Checked(Sent(), "the console")
