"""An open-loop HTTP/1.1 load generator: sends at a fixed rate whatever the server does.

wrk (closed loop) waits for an answer before sending the next request on a connection, so a slow
server is sent less and its latency looks better than it is ("coordinated omission"). Here the
send times are fixed in advance (one every 1/rate s); a request that finds no idle connection
opens another one (up to `max_connections`) or waits in a queue, and its latency is measured
from its *scheduled* send time to the last byte of the answer, so queueing is counted.

Keep-alive connections, no pipelining; answers are read by Content-Length (uvicorn always sends
one for these endpoints).
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class OpenLoopResult:
    rate: float
    duration_s: float
    scheduled: int
    completed: int
    ok: int  # answered 200
    errors: int  # other statuses, connection errors, or no answer within 10 s of the end
    latencies_ms: list[float] = field(repr=False)  # scheduled send -> answer, 200s only
    max_send_lag_ms: float = 0.0  # how late the generator itself sent (should stay small)
    connections: int = 0
    # time.perf_counter() at which request 0 was scheduled; request i at t0 + i / rate.
    t0: float = 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        data = sorted(self.latencies_ms)
        k = min(len(data) - 1, max(0, round(p / 100 * len(data)) - 1))
        return data[k]

    def summary(self) -> dict[str, float | int]:
        return {
            "rate_target": self.rate,
            "duration_s": self.duration_s,
            "scheduled": self.scheduled,
            "completed": self.completed,
            "ok": self.ok,
            "errors": self.errors,
            "achieved_rate": round(self.completed / self.duration_s, 1),
            "p50_ms": round(self.percentile(50), 3),
            "p90_ms": round(self.percentile(90), 3),
            "p99_ms": round(self.percentile(99), 3),
            "p999_ms": round(self.percentile(99.9), 3),
            "max_ms": round(max(self.latencies_ms, default=float("nan")), 3),
            "max_send_lag_ms": round(self.max_send_lag_ms, 3),
            "connections": self.connections,
        }


class _Conn(asyncio.Protocol):
    def __init__(self, gen: _Generator) -> None:
        self.gen = gen
        self.transport: Any = None  # uvloop's TCPTransport is no asyncio.Transport subclass
        self.buf = bytearray()
        self.current: tuple[int, float] | None = None  # (index, scheduled time)
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def send(self, index: int, scheduled: float, payload: bytes) -> None:
        self.current = (index, scheduled)
        self.transport.write(payload)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buf[:end]).lower()
        length = 0
        pos = head.find(b"\r\ncontent-length:")
        if pos >= 0:
            stop = head.find(b"\r\n", pos + 2)
            length = int(head[pos + 17 : stop if stop >= 0 else None].strip())
        if len(self.buf) < end + 4 + length:
            return
        now = time.perf_counter()
        status = int(head[9:12])
        del self.buf[: end + 4 + length]
        current, self.current = self.current, None
        if current is not None:
            self.gen.completed(self, current[0], current[1], now, status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        current, self.current = self.current, None
        if current is not None:
            self.gen.failed(current[0])
        self.gen.drop(self)


class _Generator:
    def __init__(self, host: str, port: int, max_connections: int) -> None:
        self.host = host
        self.port = port
        self.max_connections = max_connections
        self.idle: list[_Conn] = []
        self.all: set[_Conn] = set()
        self.opening = 0
        self.backlog: deque[tuple[int, float, bytes]] = deque()
        self.latencies: list[float] = []
        self.ok = 0
        self.done = 0
        self.peak_connections = 0
        self.measured_from = 0
        self.measured_done = 0

    async def open(self) -> None:
        self.opening += 1
        try:
            loop = asyncio.get_running_loop()
            _, conn = await loop.create_connection(lambda: _Conn(self), self.host, self.port)
        except OSError:
            self.opening -= 1
            return
        self.opening -= 1
        self.all.add(conn)
        self.peak_connections = max(self.peak_connections, len(self.all))
        self.ready(conn)

    def ready(self, conn: _Conn) -> None:
        if self.backlog and not conn.closed:
            index, scheduled, payload = self.backlog.popleft()
            conn.send(index, scheduled, payload)
        elif not conn.closed:
            self.idle.append(conn)

    def dispatch(self, index: int, scheduled: float, payload: bytes) -> None:
        while self.idle:
            conn = self.idle.pop()
            if not conn.closed:
                conn.send(index, scheduled, payload)
                return
        self.backlog.append((index, scheduled, payload))
        if len(self.all) + self.opening < self.max_connections:
            asyncio.get_running_loop().create_task(self.open())

    def completed(self, conn: _Conn, index: int, scheduled: float, now: float, status: int) -> None:
        self.done += 1
        if index >= self.measured_from:  # not a warm-up request
            self.measured_done += 1
            if status == 200:
                self.ok += 1
                self.latencies.append((now - scheduled) * 1000.0)
        self.ready(conn)

    def failed(self, index: int) -> None:
        self.done += 1
        if index >= self.measured_from:
            self.measured_done += 1

    def drop(self, conn: _Conn) -> None:
        self.all.discard(conn)


async def _run(
    host: str,
    port: int,
    payloads: Sequence[bytes],
    rate: float,
    duration_s: float,
    warmup_s: float,
    max_connections: int,
    prewarm_connections: int,
) -> OpenLoopResult:
    gen = _Generator(host, port, max_connections)
    await asyncio.gather(*(gen.open() for _ in range(prewarm_connections)))
    interval = 1.0 / rate
    warm = int(warmup_s * rate)
    total = warm + int(duration_s * rate)
    if total > len(payloads):
        raise ValueError(f"need {total} requests, have {len(payloads)}")
    max_lag = 0.0
    gen.measured_from = warm
    t0 = time.perf_counter() + 0.05
    i = 0
    while i < total:
        now = time.perf_counter()
        while i < total and t0 + i * interval <= now:
            scheduled = t0 + i * interval
            if i >= warm:
                max_lag = max(max_lag, now - scheduled)
            gen.dispatch(i, scheduled, payloads[i])
            i += 1
        delay = t0 + i * interval - time.perf_counter()
        await asyncio.sleep(max(0.0, delay))
    deadline = time.perf_counter() + 10.0
    while gen.done < total and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    for conn in list(gen.all):
        if conn.transport is not None:
            conn.transport.close()
    measured = total - warm
    return OpenLoopResult(
        rate=rate,
        duration_s=duration_s,
        scheduled=measured,
        completed=gen.measured_done,
        ok=gen.ok,
        errors=measured - gen.ok,
        latencies_ms=gen.latencies,
        max_send_lag_ms=max_lag * 1000.0,
        connections=gen.peak_connections,
        t0=t0,
    )


def run_open_loop(
    host: str,
    port: int,
    payloads: Sequence[bytes],
    *,
    rate: float,
    duration_s: float,
    warmup_s: float = 2.0,
    max_connections: int = 256,
    prewarm_connections: int = 8,
) -> OpenLoopResult:
    """Send `payloads[i]` (raw HTTP/1.1 requests) at `rate` per second for warmup + duration."""
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover
        loop_factory = None
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(
                _run(
                    host,
                    port,
                    payloads,
                    rate,
                    duration_s,
                    warmup_s,
                    max_connections,
                    prewarm_connections,
                )
            )
    finally:
        gc.enable()
        gc.unfreeze()
