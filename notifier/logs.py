"""Log records as readable lines (the default) or one JSON object a line (`LOG_FORMAT=json`)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# Ids a log call may pass with `extra=`, so a log drain can follow one event, group or delivery.
CONTEXT_FIELDS = ("event_id", "group_key", "delivery_id", "receiver", "route")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the context ids
    given, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {name: getattr(record, name) for name in CONTEXT_FIELDS if hasattr(record, name)}
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure(level: str, log_format: str) -> None:
    """The root handler for the whole process (uvicorn's loggers propagate to it: serve passes
    `log_config=None`); a no-op where the root logger already has a handler (pytest's)."""
    formatter = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    logging.basicConfig(level=level, handlers=[handler])
    # APScheduler narrates every job at INFO; the digest clock logs what matters itself.
    if level != "DEBUG":
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
