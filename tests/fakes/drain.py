"""Waiting for a bot to finish its backlog: every event processed, every notification sent."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from fakes.wait import wait_until
from notifier.store.events import pending_backlog
from notifier.store.schema import notifications


def drained(engine: Engine) -> bool:
    with engine.connect() as conn:
        pending = pending_backlog(conn)[0]
        unsent = conn.execute(
            select(func.count()).where(notifications.c.status != "sent")
        ).scalar_one()
    return pending == 0 and unsent == 0


def wait_until_processed(engine: Engine, seconds: float = 120) -> None:
    wait_until(lambda: drained(engine), "processed and delivered backlog", seconds=seconds)
