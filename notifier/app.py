"""The Starlette app: Twilio endpoints, health, metrics, and the background loops it runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from notifier.console.routes import console_routes
from notifier.delivery import Deliverer
from notifier.delivery.directory import LiveDirectory
from notifier.delivery.transports import Transports
from notifier.events import utcnow
from notifier.ingest.endpoint import IngestContext, Webhooks, make_endpoint
from notifier.ingest.sources import SOURCES
from notifier.ingest.writer import InboxWriter
from notifier.metrics import Metrics
from notifier.pipeline.process import Pipeline
from notifier.rules.holder import RulesHolder
from notifier.rules.model import Rules
from notifier.settings import Settings
from notifier.slack_actions.endpoints import slack_routes
from notifier.store.engine import checkpoint, make_engine, read_only
from notifier.store.events import pending_backlog
from notifier.store.health import StoreHealth
from notifier.store.migrations import migrate
from notifier.store.retention import prune
from notifier.twilio import catalog as catalog_module
from notifier.twilio.signature import SignatureChecker
from notifier.worker import Worker

log = logging.getLogger(__name__)

RULES_POLL_SECONDS = 2.0
CATALOG_CACHE = Path.home() / ".cache" / "twilio-alert-notifier" / "error-codes.json"
PRUNE_EVERY_SECONDS = 3600.0
# Often, so that each checkpoint is small: a large one (a second's worth of WAL under load)
# ends in an fsync that stalls the inbox's commits long enough to show in the p99.
CHECKPOINT_EVERY_SECONDS = 0.2


@dataclass
class Runtime:
    """Everything one process shares: settings, store, rules, catalog, metrics."""

    settings: Settings
    engine: Engine
    rules: RulesHolder
    metrics: Metrics = field(default_factory=Metrics)
    catalog: catalog_module.Catalog = field(default_factory=catalog_module.Catalog)
    # What the channels share (one HTTP session, the pacer), made with the worker.
    transports: Transports | None = None

    @classmethod
    def start(cls, settings: Settings, *, fetch_catalog: bool = True) -> Runtime:
        """Open and migrate the store, load the rules and the catalog (`fetch_catalog`: also
        refresh it from Twilio's site in the background when TWILIO_ERROR_CODES_REFRESH asks)."""
        engine = make_engine(settings.database_url, settings.database_pool)
        migrate(engine)
        runtime = cls(settings=settings, engine=engine, rules=RulesHolder(settings.rules_file))
        runtime.load_catalog(fetch=fetch_catalog)
        return runtime

    def load_catalog(self, *, fetch: bool) -> None:
        self.catalog.replace(catalog_module.load_initial(self.settings.error_codes_file))
        if fetch and self.settings.error_codes_refresh and not self.settings.error_codes_file:
            catalog_module.fetch_in_background(self.catalog, CATALOG_CACHE)

    def make_worker(self) -> Worker:
        rules = self.current_rules
        pipeline = Pipeline(rules, self.catalog, self.metrics)
        self.transports = Transports.start(self.settings, self.engine, utcnow)
        directory = LiveDirectory(rules, self.transports, self.catalog)
        deliverer = Deliverer(self.engine, directory, utcnow, metrics=self.metrics)
        return Worker(self.engine, pipeline, deliverer)

    def current_rules(self) -> Rules:
        return self.rules.rules

    async def run_background(self, worker: Worker | None, stop: asyncio.Event) -> None:
        """The loops every process runs (rules reload, pruning) plus the worker when given,
        until `stop` is set: then the worker finishes or hands back what it holds."""
        _reload_on_sighup(self.rules)
        loops = {
            "rules watcher": _rules_watcher(self.rules),
            "pruner": _pruner(self),
            "WAL checkpointer": _checkpointer(self.engine),
        }
        tasks = [asyncio.create_task(loop, name=name) for name, loop in loops.items()]
        working = [asyncio.create_task(worker.run(), name="worker")] if worker is not None else []
        stopped = asyncio.create_task(stop.wait())
        pending = {stopped, *tasks, *working}
        try:
            while stopped in pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done - {stopped}:
                    _log_failure(task)  # the worker and the other loops go on
        finally:
            if worker is not None:
                worker.stop()
                await asyncio.wait(working)
                for task in pending.intersection(working):  # not logged above: it ended now
                    _log_failure(task)
            for task in [stopped, *tasks]:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.transports is not None:
                await self.transports.aclose()


def create_app(runtime: Runtime, *, run_worker: bool = True) -> Webhooks:
    """`run_worker`: also process events in this process (a single-dyno install)."""
    worker = runtime.make_worker() if run_worker else None
    writer = InboxWriter(runtime.engine, worker.stored) if worker else InboxWriter(runtime.engine)
    ingest = IngestContext(
        checker=SignatureChecker(runtime.settings.auth_tokens),
        writer=writer,
        metrics=runtime.metrics,
        public_base=runtime.settings.public_url,
        max_body_bytes=runtime.settings.max_body_bytes,
        allow_unsigned_loopback=runtime.settings.allow_unsigned_loopback,
        read_timeout=runtime.settings.read_timeout,
        fallback_twiml=lambda: runtime.current_rules().fallback,
    )
    webhooks = {spec.path: (spec.methods, make_endpoint(spec, ingest)) for spec in SOURCES}
    routes = [
        Route("/healthz", _healthz, methods=["GET"]),
        Route("/readyz", _readyz(runtime), methods=["GET"]),
        Route("/metrics", _metrics(runtime), methods=["GET"]),
        *slack_routes(runtime.settings, runtime.engine, runtime.current_rules, runtime.metrics),
        *console_routes(runtime.settings, runtime.engine, runtime.current_rules, runtime.catalog),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # uvicorn comes here once the requests are answered (or cut off after
        # timeout_graceful_shutdown): what they acknowledged is committed, then the worker stops.
        writer.start()
        stop = asyncio.Event()
        background = asyncio.create_task(runtime.run_background(worker, stop))
        try:
            yield
        finally:
            await writer.stop()
            stop.set()
            await asyncio.gather(background, return_exceptions=True)

    return Webhooks(Starlette(routes=routes, lifespan=lifespan), webhooks)


async def _healthz(request: Request) -> Response:
    return PlainTextResponse("ok\n")


def _readyz(runtime: Runtime) -> Any:
    # Made now, with the store just opened and migrated: the file it must stay.
    health = StoreHealth(runtime.engine)

    async def readyz(request: Request) -> Response:
        problem = await asyncio.to_thread(health.problem)
        body: dict[str, object] = {"ready": not problem, "store": problem or "ok", "rules": "ok"}
        if runtime.rules.error:
            # Still ready: the previous rules keep running; the edit needs fixing.
            body["rules"] = "the last edit is invalid, previous rules in force"
            body["rules_error"] = runtime.rules.error
        if problem is not None:
            log.warning("not ready: the store is %s", problem)
            return JSONResponse(body, status_code=503)
        return JSONResponse(body)

    return readyz


def _metrics(runtime: Runtime) -> Any:
    async def metrics(request: Request) -> Response:
        with contextlib.suppress(Exception):
            count, oldest = await asyncio.to_thread(_backlog, runtime.engine)
            runtime.metrics.queue_pending.set(count)
            lag = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
            runtime.metrics.queue_lag.set(lag)
        payload = generate_latest(runtime.metrics.registry)
        return Response(payload, media_type=CONTENT_TYPE_LATEST)

    return metrics


def _backlog(engine: Engine) -> tuple[int, datetime | None]:
    with read_only(engine).connect() as conn:
        return pending_backlog(conn)


def _log_failure(task: asyncio.Task[Any]) -> None:
    error = None if task.cancelled() else task.exception()
    if error is not None:
        log.error("background loop %s stopped", task.get_name(), exc_info=error)


def _reload_on_sighup(holder: RulesHolder) -> None:
    # Signal handlers only work in the main thread; elsewhere (tests) the mtime poll suffices.
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, holder.reload)


async def _rules_watcher(holder: RulesHolder) -> None:
    while True:
        await asyncio.sleep(RULES_POLL_SECONDS)
        await asyncio.to_thread(holder.reload_if_changed)


async def _pruner(runtime: Runtime) -> None:
    while True:
        retention = runtime.rules.rules.settings.retention
        if retention is not None:
            try:
                await asyncio.to_thread(_prune, runtime.engine, datetime.now(UTC) - retention)
            except Exception:
                log.exception("pruning old events failed; will try again")
        await asyncio.sleep(PRUNE_EVERY_SECONDS)


async def _checkpointer(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    while True:
        await asyncio.sleep(CHECKPOINT_EVERY_SECONDS)
        try:
            await asyncio.to_thread(checkpoint, engine)
        except Exception as error:  # the next one, or SQLite's own auto-checkpoint, catches up
            log.warning("WAL checkpoint failed: %s", error)


def _prune(engine: Engine, before: datetime) -> None:
    with engine.begin() as conn:
        removed = prune(conn, before)
    if any(removed.values()):
        counts = ", ".join(f"{count} {what}" for what, count in removed.items())
        log.info("pruned history older than the retention: %s", counts)
