"""Failed logins, counted per client and in total over a sliding window, in bounded memory."""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field

WINDOW_SECONDS = 300.0
PER_CLIENT = 5  # failures per client per window before its logins are refused
OVERALL = 50  # failures from everyone per window: a guesser with many addresses
MAX_CLIENTS = 10_000  # clients remembered; the longest quiet are forgotten first


@dataclass
class LoginLimiter:
    """`now` is a monotonic clock reading in seconds, passed in by the caller."""

    window: float = WINDOW_SECONDS
    per_client: int = PER_CLIENT
    overall: int = OVERALL
    max_clients: int = MAX_CLIENTS
    _clients: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict)
    _all: deque[float] = field(default_factory=deque)

    def retry_after(self, client: str, now: float) -> float:
        """Seconds until `client` may try again; 0: it may try now."""
        _expire(self._all, now - self.window)
        failures = self._clients.get(client, deque())
        _expire(failures, now - self.window)
        waits = [0.0]
        if len(failures) >= self.per_client:
            waits.append(failures[0] + self.window - now)
        if len(self._all) >= self.overall:
            waits.append(self._all[0] + self.window - now)
        return max(waits)

    def failed(self, client: str, now: float) -> None:
        failures = self._clients.pop(client, None) or deque(maxlen=self.per_client)
        failures.append(now)
        self._clients[client] = failures  # moved to the end: the most recent
        while len(self._clients) > self.max_clients:
            self._clients.popitem(last=False)
        self._all.append(now)
        while len(self._all) > self.overall:
            self._all.popleft()

    def succeeded(self, client: str) -> None:
        self._clients.pop(client, None)


def _expire(times: deque[float], before: float) -> None:
    while times and times[0] < before:
        times.popleft()
