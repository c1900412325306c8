"""Idle and slow clients cannot hold the server's file descriptors: uvicorn's HTTP protocol,
with a deadline and a size cap for each request's headers and a cap on open connections."""

from __future__ import annotations

import asyncio
import resource
from typing import Any, ClassVar, NamedTuple

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Twilio's request lines and headers take a few hundred bytes; httptools sets no limit at all.
MAX_HEAD_BYTES = 64 * 1024


class ConnectionLimits(NamedTuple):
    max_connections: int
    # Seconds a connection may wait for a request's headers (the first or the next).
    read_timeout: float


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, plus:

    - a connection whose request headers are not complete within `read_timeout` is closed
      (uvicorn alone waits forever for a first request, and for headers that trickle in);
    - so is one that has sent MAX_HEAD_BYTES without completing its request line and headers
      (answered 400; a single read, at most 256 KiB, is always parsed whole);
    - beyond `max_connections` open connections, the one that has waited longest for a
      request is closed: a flood of idle connections gives way to new clients instead of
      exhausting the file descriptors.
    """

    limits: ClassVar[ConnectionLimits]
    _sweeping: ClassVar[bool] = False
    # Loop time since which this connection waits for a request; None while it serves one.
    waiting_since: float | None = None
    _head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._wait_for_request()
        if not self._sweeping:
            type(self)._sweeping = True
            _sweep(self.loop, self.connections, self.limits.read_timeout)
        if len(self.connections) > self.limits.max_connections:
            _close_longest_waiting(self.connections)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.waiting_since is None:  # the headers are in (or the connection is closing)
            return
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
            self.send_400_response(f"Request line and headers exceed {MAX_HEAD_BYTES} bytes.")

    def on_headers_complete(self) -> None:
        self.waiting_since = None
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        pipelined = bool(self.pipeline)  # then the next request's headers are already in
        super().on_response_complete()
        if not pipelined and not self.transport.is_closing():
            self._wait_for_request()

    def _wait_for_request(self) -> None:
        self.waiting_since = self.loop.time()
        self._head_bytes = 0


def _sweep(loop: asyncio.AbstractEventLoop, connections: set[Any], read_timeout: float) -> None:
    """Closes the connections that have waited longer than `read_timeout` for a request's
    headers, then runs again in a quarter of it (at most a second): one timer for the server,
    not one per request."""
    started_before = loop.time() - read_timeout
    for connection in list(connections):
        waiting_since = getattr(connection, "waiting_since", None)
        if waiting_since is not None and waiting_since < started_before:
            connection.transport.close()
    loop.call_later(min(1.0, read_timeout / 4), _sweep, loop, connections, read_timeout)


def _close_longest_waiting(connections: set[Any]) -> None:
    """Closes the connection that has waited longest for a request (the newest itself, when
    every other one is serving a request)."""
    waiting = [c for c in connections if getattr(c, "waiting_since", None) is not None]
    if waiting:
        min(waiting, key=lambda c: c.waiting_since).transport.close()


def guarded_protocol(limits: ConnectionLimits) -> type[GuardedHttpProtocol]:
    """The protocol class for uvicorn's `http` option, with `limits`; at most half of this
    process's open-file limit goes to connections (the store, the rules file and the outgoing
    connections to Slack need the rest)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    cap = limits.max_connections if soft == resource.RLIM_INFINITY else soft // 2
    bounded = limits._replace(max_connections=max(1, min(limits.max_connections, cap)))

    class Limited(GuardedHttpProtocol):
        limits = bounded

    return Limited
