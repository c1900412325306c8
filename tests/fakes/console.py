"""The app with its web console on, on a test store, and ways to fill that store."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from starlette.testclient import TestClient

from fakes.events import TEST, make_incoming
from notifier.app import Runtime, create_app
from notifier.events import utcnow
from notifier.metrics import Metrics
from notifier.pipeline.process import Pipeline
from notifier.settings import Settings
from notifier.store.events import claim_events, insert_events, mark_processed
from notifier.twilio.catalog import BUNDLED

PASSWORD = "correct horse battery staple"
# Webhook errors alert (to the console receiver); the test account is dropped; others unmatched.
RULES = f"""
[defaults]
receivers = ["local"]
group_by = ["error_code", "account_sid"]
group_wait = "0s"

[receivers.local]
console = {{}}

[[routes]]
name = "drop-test"
match = {{ account_sid = "{TEST}" }}
drop = true

[[routes]]
name = "webhooks"
match = {{ error_code = ["11200-11299"] }}
"""


@contextlib.contextmanager
def console_client(
    tmp_path: Path, database_url: str, **settings: Any
) -> Iterator[tuple[TestClient, Runtime]]:
    """The app (no worker) with CONSOLE_PASSWORD set unless `settings` say otherwise."""
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    values: dict[str, Any] = {
        "auth_tokens": ("tok",),
        "database_url": database_url,
        "rules_file": rules,
        "error_codes_file": Path(str(BUNDLED)),
        "console_password": PASSWORD,
        **settings,
    }
    runtime = Runtime.start(Settings(**values), fetch_catalog=False)
    try:
        with TestClient(create_app(runtime, run_worker=False), follow_redirects=False) as client:
            yield client, runtime
    finally:
        runtime.engine.dispose()


def store(runtime: Runtime, *fields: dict[str, Any], at: datetime | None = None) -> list[int]:
    """Store one event per `fields` (make_incoming's keywords), received at `at` (now); their
    ids."""
    return store_in(runtime.engine, *fields, at=at)


def store_in(engine: Engine, *fields: dict[str, Any], at: datetime | None = None) -> list[int]:
    at = at or utcnow()
    items = [make_incoming(**({"at": at} | item)) for item in fields]
    with engine.begin() as conn:
        ids = insert_events(conn, items, at)
    return [ids[item.dedup_key] for item in items]


def process(runtime: Runtime, now: datetime | None = None) -> None:
    """Route, group and queue every stored event, as the worker would at `now` (now)."""
    now = now or utcnow()
    pipeline = Pipeline(runtime.current_rules, runtime.catalog, Metrics())
    with runtime.engine.begin() as conn:
        claimed = claim_events(conn, now, 10_000)
        pipeline.process(conn, claimed, now)
        mark_processed(conn, [stored.id for stored in claimed], now)


def login(client: TestClient, password: str = PASSWORD) -> str:
    """Log in; returns the session's CSRF token, as the pages' forms carry it."""
    answer = client.post("/console/login", data={"password": password})
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/console/").text)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)
