"""Waiting for a bot to finish its backlog: every event processed, every notification sent."""

from __future__ import annotations

import time

from sqlalchemy import Engine, func, select

from notifier.store.events import pending_backlog
from notifier.store.schema import notifications


def wait_until_processed(engine: Engine, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            pending = pending_backlog(conn)[0]
            undelivered = conn.execute(
                select(func.count()).where(notifications.c.status != "sent")
            ).scalar_one()
        if pending == 0 and undelivered == 0:
            return
        time.sleep(0.2)
    raise AssertionError("the restarted bot did not process its backlog in time")
