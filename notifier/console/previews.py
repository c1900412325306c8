"""Each digest's current period so far, built in the background and kept for a minute.

A digest's report reads a whole period of events (about 33,000 a day at a million a month):
too long for a page, and never needed to the second. The page shows the last copy and asks
for a fresh one when it is older than `MAX_AGE`; it never waits for one."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Connection, Engine

from notifier.delivery.directory import render_context
from notifier.digest.build import build_report
from notifier.digest.render import render_text
from notifier.digest.schedule import digest_trigger, period_for
from notifier.rules.model import Rules
from notifier.store.engine import read_only
from notifier.twilio.catalog import Catalog

log = logging.getLogger(__name__)
MAX_AGE = timedelta(minutes=1)


class Preview(NamedTuple):
    name: str
    text: str  # the digest as plain text; the template escapes it


def build_previews(
    conn: Connection, rules: Rules, catalog: Catalog, now: datetime
) -> list[Preview]:
    previews = []
    ctx = render_context(rules, catalog)
    for digest in rules.digests:
        start, end = period_for(digest, digest_trigger(digest, rules), now)
        try:
            text = render_text(build_report(conn, digest, start, end, catalog), ctx)
        except ValueError as error:  # a scope SQL cannot express, as `notifier digest` says
            text = f'digest "{digest.name}": {error}'
        previews.append(Preview(digest.name, text))
    return previews


@dataclass
class PreviewCache:
    built_at: datetime | None = None
    previews: list[Preview] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    def current(
        self, engine: Engine, rules: Rules, catalog: Catalog, now: datetime
    ) -> tuple[datetime | None, list[Preview]]:
        """The last copy (None: none yet); starts building a new one when it is stale."""
        stale = self.built_at is None or now - self.built_at > MAX_AGE
        if stale and (self._task is None or self._task.done()):
            self._task = asyncio.create_task(self._build(engine, rules, catalog, now))
        return self.built_at, self.previews

    async def _build(self, engine: Engine, rules: Rules, catalog: Catalog, now: datetime) -> None:
        try:
            self.previews = await asyncio.to_thread(_read, engine, rules, catalog, now)
            self.built_at = now
        except Exception:  # the next view asks again; the page keeps the last copy
            log.exception("console: building the digest previews failed")

    async def wait(self) -> None:
        """Until the build under way (if any) ends: for tests and the benchmark."""
        if self._task is not None:
            await asyncio.wait({self._task})


def _read(engine: Engine, rules: Rules, catalog: Catalog, now: datetime) -> list[Preview]:
    with read_only(engine).connect() as conn:
        return build_previews(conn, rules, catalog, now)
