"""What the channels of one process share: settings, one HTTP session, the store's pacer and
message refs, the SMTP settings. Made once with the worker (or a CLI command)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

import aiohttp
from sqlalchemy import Engine

from notifier.delivery.message_refs import MessageRefs
from notifier.delivery.outcome import Failed
from notifier.delivery.pacing import Pacer
from notifier.delivery.slack_web_api import session_with_timeout
from notifier.delivery.smtp import SmtpConfig, smtp_config
from notifier.events import utcnow
from notifier.settings import Settings


class HttpSession:
    """One aiohttp session for every Slack call, made lazily: a session belongs to the event
    loop running when it is made. Every request ends within `timeout` seconds."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = session_with_timeout(self.timeout)
        return self._session

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


@dataclass
class Transports:
    settings: Settings
    pacer: Pacer
    refs: MessageRefs
    http: HttpSession
    smtp: SmtpConfig | Failed
    out: TextIO | None = None  # the console's stream; None: sys.stdout at the time

    @classmethod
    def start(
        cls,
        settings: Settings,
        engine: Engine,
        clock: Callable[[], datetime] = utcnow,
        out: TextIO | None = None,
    ) -> Transports:
        return cls(
            settings,
            Pacer(engine, clock),
            MessageRefs(engine),
            HttpSession(settings.slack_timeout),
            smtp_config(settings.smtp_url, settings.email_from),
            out,
        )

    async def aclose(self) -> None:
        await self.http.aclose()
