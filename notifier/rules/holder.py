"""The rules in force: reloaded on change or SIGHUP; an invalid edit keeps the old rules."""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

from notifier.errors import UserError
from notifier.rules.load import load_rules

log = logging.getLogger(__name__)


class RulesHolder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen = self._fingerprint()
        self.rules = load_rules(path)
        self.error: str | None = None

    def reload_if_changed(self) -> bool:
        """Reload when the file's content changed; True when new rules took effect."""
        if self._fingerprint() == self._seen:
            return False
        return self.reload()

    def reload(self) -> bool:
        with self._lock:
            # Fingerprint before reading: an edit landing in between is seen by the next poll.
            self._seen = self._fingerprint()
            try:
                rules = load_rules(self.path)
            except UserError as error:
                self.error = str(error)
                log.error("rules not reloaded, the previous rules stay in force:\n%s", error)
                return False
            self.rules, self.error = rules, None
            log.info("rules reloaded from %s (%d routes)", self.path, len(rules.routes))
            return True

    def _fingerprint(self) -> str | None:
        # The content's hash, not the mtime: filesystems with coarse mtimes (1 s, 2 s on FAT)
        # would hide a second edit within the same tick. The file is small; polling reads it.
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError:
            return None
