"""The rules in force: reloaded on change or SIGHUP; an invalid edit keeps the old rules."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from notifier.errors import UserError
from notifier.rules.load import load_rules

log = logging.getLogger(__name__)


class RulesHolder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.rules = load_rules(path)
        self.error: str | None = None
        self._mtime = self._stat()
        self._lock = threading.Lock()

    def reload_if_changed(self) -> bool:
        """Reload when the file's modification time moved; True when new rules took effect."""
        if self._stat() == self._mtime:
            return False
        return self.reload()

    def reload(self) -> bool:
        with self._lock:
            self._mtime = self._stat()
            try:
                rules = load_rules(self.path)
            except UserError as error:
                self.error = str(error)
                log.error("rules not reloaded, the previous rules stay in force:\n%s", error)
                return False
            self.rules, self.error = rules, None
            log.info("rules reloaded from %s (%d routes)", self.path, len(rules.routes))
            return True

    def _stat(self) -> float | None:
        try:
            return self.path.stat().st_mtime_ns / 1e9
        except OSError:
            return None
