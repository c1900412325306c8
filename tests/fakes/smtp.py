"""A real SMTP server on loopback (aiosmtpd) that keeps what it accepts."""

from __future__ import annotations

import email
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from fakes.bot import free_port


class Inbox:
    """An aiosmtpd handler: every accepted envelope and its parsed message, answered `answer`."""

    def __init__(self, answer: str = "250 OK") -> None:
        self.envelopes: list[Any] = []
        self.messages: list[Message] = []
        self.answer = answer

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content))
        return self.reply()

    def reply(self) -> str:
        return self.answer


@contextmanager
def smtp_server(inbox: Inbox, port: int | None = None, **kwargs: Any) -> Iterator[int]:
    """Serve `inbox` on 127.0.0.1 (a free port unless given); yields the port."""
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
