"""SMTP servers on loopback: a real one (aiosmtpd) that keeps what it accepts, and a slow one."""

from __future__ import annotations

import asyncio
import email
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from fakes.bot import free_port

# RFC 5322 section 3.6: every message has an origination date; Message-ID "SHOULD" be there, and
# Gmail refuses mail without one (support.google.com/mail/answer/81126, "Message-ID header").
REQUIRED_HEADERS = ("Date", "Message-ID")


class Inbox:
    """An aiosmtpd handler: every accepted envelope and its parsed message, answered `answer`.
    Like a strict relay, it refuses a message without the headers RFC 5322 requires."""

    def __init__(self, answer: str = "250 OK") -> None:
        self.envelopes: list[Any] = []
        self.messages: list[Message] = []
        self.answer = answer

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        missing = [name for name in REQUIRED_HEADERS if message[name] is None]
        if missing:
            return f"550 5.6.0 message has no {' or '.join(missing)} header (RFC 5322 3.6)"
        self.envelopes.append(envelope)
        self.messages.append(message)
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


@asynccontextmanager
async def slow_smtp_server(delay: float) -> AsyncIterator[int]:
    """A server that accepts everything but waits `delay` seconds before each reply, as RFC 5321
    section 4.5.3.2 allows (minutes, even); yields its port on 127.0.0.1, and on leaving waits
    until every client has hung up."""
    conversations: list[asyncio.Event] = []

    async def converse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def reply(line: str) -> None:
            await asyncio.sleep(delay)
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        over = asyncio.Event()
        conversations.append(over)
        try:
            await reply("220 slow.example ESMTP")
            while command := (await reader.readline()).upper():
                if command.startswith(b"DATA"):
                    await reply("354 go ahead")
                    await reader.readuntil(b"\r\n.\r\n")
                await reply("221 bye" if command.startswith(b"QUIT") else "250 OK")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client gave up
        finally:
            writer.close()
            over.set()

    async with await asyncio.start_server(converse, "127.0.0.1", 0) as server:
        yield server.sockets[0].getsockname()[1]
        for over in conversations:
            await over.wait()
