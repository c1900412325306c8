"""Ingest benchmark of DESIGN section 9: the bot against the reference app and the ceiling.

    python -m bench.ingest [--quick] [--rows 1,2,6,7]

Needs wrk on PATH (`apt-get install wrk`). Every server runs as a subprocess on a free port of
127.0.0.1 with its own temporary SQLite file; the figures are printed as a table and written to
bench/results/ingest-<timestamp>.json.

Rows (numbered as in DESIGN section 9):
 1  signed debugger webhooks accepted (200) and stored, per second, wrk closed loop: bot,
    reference, ceiling; ratio bot/reference (target >= 0.8) and absolute (>= 5,000/s). The
    store is checked: rows added == 200 answers (+ at most the requests in flight when wrk
    stopped). Every request carries a unique Sid, so no request repeats within the run.
 2  time to answer, p99, open loop at 1,000 requests/s (60 s; 10 s with --quick): bot and
    reference (target <= 20 ms).
 6  RSS of the bot after 0, 50k, 100k, 150k, 200k stored events (target <= 120 MB and flat).
 7  start to ready: process start until GET /readyz answers 200, median of 5 (target <= 2 s).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.openloop import run_open_loop
from notifier.simulate import sample
from notifier.twilio.catalog import BUNDLED as catalog_bundle
from notifier.twilio.signature import sign

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
RULES_FILE = ROOT / "rules.toml"
ERROR_CODES_FILE = Path(str(catalog_bundle))
PATH = "/twilio/debugger"
CONTENT_TYPE = "application/x-www-form-urlencoded"
HOST = "127.0.0.1"
MARK = "Z" * 32
# --rev REV: the bot runs from `git archive REV` extracted here instead of the working tree.
SNAPSHOT: Path | None = None

TARGETS = {
    "ratio_bot_reference": 0.8,
    "throughput_per_s": 5000.0,
    "p99_ms": 20.0,
    "rss_mb": 120.0,
    "start_to_ready_s": 2.0,
}


# --------------------------------------------------------------------------------------------
# Requests: unique Sids, precomputed signatures


@dataclass(frozen=True)
class RequestSet:
    """`count` signed debugger webhooks for one PUBLIC_URL; only the Sid differs."""

    public_url: str
    prefix: str  # body before the Sid's value
    suffix: str  # body after it
    sids: list[str]
    signatures: list[str]

    def body(self, i: int) -> str:
        return self.prefix + self.sids[i] + self.suffix

    def raw(self, i: int, port: int) -> bytes:
        body = self.body(i).encode()
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: {CONTENT_TYPE}\r\n"
            f"X-Twilio-Signature: {self.signatures[i]}\r\nUser-Agent: TwilioProxy/1.1\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body


def make_requests(
    token: str, public_url: str, count: int, tag: str, *, random_sids: bool = False
) -> RequestSet:
    """Sids are "NO" + tag (8 hex) + a 24-hex counter, or with `random_sids` 32 random hex
    digits, as Twilio's are (the store's unique index then takes them at random places, not
    at its end). Signatures are computed the way
    RequestValidator does (URL + sorted name+value pairs, HMAC-SHA1, base64), with the parts
    around the Sid precomputed; the first few are checked against notifier's own `sign`."""
    fields = dict(sample("debugger").form or {})
    fields["Sid"] = "NO" + MARK
    body = urlencode(fields)
    prefix, suffix = body.split("NO" + MARK)
    url = public_url + PATH
    before, after = url, ""
    seen_sid = False
    for name in sorted(fields):
        if name == "Sid":
            before += "Sid"
            seen_sid = True
        elif seen_sid:
            after += name + fields[name]
        else:
            before += name + fields[name]
    key = token.encode()
    sids = [
        "NO" + (secrets.token_hex(16) if random_sids else f"{tag}{i:024x}") for i in range(count)
    ]
    signatures = [
        base64.b64encode(
            hmac.new(key, (before + sid + after).encode(), hashlib.sha1).digest()
        ).decode()
        for sid in sids
    ]
    for i in range(min(3, count)):
        assert signatures[i] == sign(token, url, dict(fields, Sid=sids[i])), "signature mismatch"
    return RequestSet(public_url, prefix + "NO", suffix, [s[2:] for s in sids], signatures)


WRK_SCRIPT = r"""
-- Cycles through signed debugger webhooks read from a data file ("sid signature" lines).
local prefix = [==[%(prefix)s]==]
local suffix = [==[%(suffix)s]==]
local path = "%(path)s"
local sids, sigs = {}, {}
local n, k, limit = 0, 0, 0
local wrapped = false
local nthreads = 1
local counter = 0
local threads = {}

function setup(thread)
  thread:set("me", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file, start, count = args[1], tonumber(args[2]), tonumber(args[3])
  limit = tonumber(args[4]) or 0
  nthreads = tonumber(args[5]) or 1
  me = me or 0
  local line_no = 0
  for line in io.lines(file) do
    if line_no >= start and line_no < start + count and (line_no - start) %% nthreads == me then
      local sid, sig = line:match("^(%%S+) (%%S+)$")
      n = n + 1
      sids[n], sigs[n] = sid, sig
    end
    line_no = line_no + 1
  end
end

function request()
  k = k + 1
  if limit > 0 and k > limit then
    wrk.thread:stop()
    return wrk.format("GET", "/readyz")
  end
  local i = k
  if i > n then wrapped = true; i = (i - 1) %% n + 1 end
  local headers = {}
  headers["Content-Type"] = "%(content_type)s"
  headers["X-Twilio-Signature"] = sigs[i]
  headers["User-Agent"] = "TwilioProxy/1.1"
  return wrk.format("POST", path, headers, prefix .. sids[i] .. suffix)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, ' ..
    '"read": %%d, "write": %%d, "status": %%d, "timeout": %%d, "p50_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def write_wrk_files(reqs: RequestSet, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "requests.txt"
    with data.open("w") as out:
        for sid, sig in zip(reqs.sids, reqs.signatures, strict=True):
            out.write(f"{sid} {sig}\n")
    script = directory / "debugger.lua"
    script.write_text(
        WRK_SCRIPT
        % {
            "prefix": reqs.prefix,
            "suffix": reqs.suffix,
            "path": PATH,
            "content_type": CONTENT_TYPE,
        }
    )
    return script, data


# --------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    kind: str  # bot, reference, reference-pg, ceiling
    port: int
    db: Path
    token: str
    workdir: Path
    # A PostgreSQL URL the server stores into instead of the SQLite file `db` (bench/postgres.py).
    database_url: str | None = None
    serve_args: tuple[str, ...] = ()  # more `notifier serve` options, e.g. --no-worker
    extra_env: dict[str, str] = field(default_factory=dict)  # set last, over the defaults
    # The bot's `notifier/` and rules.toml from this snapshot (see `snapshot`); default: --rev's.
    source: Path | None = None
    proc: subprocess.Popen[bytes] | None = None
    # Processes whose CPU counts as the server's (bench/postgres.py: a `notifier worker` beside
    # a web process that runs none).
    helpers: list[int] = field(default_factory=list)
    started_at: float = 0.0
    ready_after_s: float = float("nan")
    stderr_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.stderr_path = self.workdir / f"{self.kind}-{self.port}.stderr"
        if self.source is None and self.kind == "bot":
            self.source = SNAPSHOT

    @property
    def public_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def command(self) -> list[str]:
        if self.kind == "bot":
            if self.source is not None:  # the same as the console script, from the snapshot
                launcher = "import sys; from notifier.cli import main; sys.exit(main())"
                return [
                    sys.executable,
                    "-c",
                    launcher,
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    str(self.port),
                    *self.serve_args,
                ]
            notifier = Path(sys.executable).parent / "notifier"
            serve = [str(notifier), "serve", "--host", HOST, "--port", str(self.port)]
            return serve + list(self.serve_args)
        return [
            sys.executable,
            "-m",
            "bench.reference",
            self.kind,
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--db",
            self.database_url or str(self.db),
        ]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            TWILIO_AUTH_TOKEN=self.token,
            PUBLIC_URL=self.public_url,
            DATABASE_URL=self.database_url or f"sqlite:///{self.db}",
            RULES_FILE=str((self.source or ROOT) / "rules.toml"),
            TWILIO_ERROR_CODES_FILE=str(ERROR_CODES_FILE),
            LOG_LEVEL="WARNING",
            # bench.reference from this tree; with --rev, notifier from the snapshot (first on
            # sys.path, so it wins over the venv's editable install of this tree).
            PYTHONPATH=f"{self.source}:{ROOT}" if self.source else str(ROOT),
        )
        for name in ("SLACK_BOT_TOKEN", "SMTP_URL", "PORT", "ALLOW_UNSIGNED_LOOPBACK"):
            env.pop(name, None)
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 20.0) -> float:
        """Start and wait for /readyz 200; returns the seconds from start to ready."""
        stderr = self.stderr_path.open("ab")
        self.started_at = time.perf_counter()
        # The in-process worker prints every event to stdout: to /dev/null.
        self.proc = subprocess.Popen(
            self.command(),
            cwd=self.source or ROOT,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        stderr.close()
        deadline = self.started_at + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited: {self.stderr_tail()}")
            if readyz(self.port):
                self.ready_after_s = time.perf_counter() - self.started_at
                return self.ready_after_s
            time.sleep(0.005)
        self.stop()
        raise RuntimeError(f"{self.kind} not ready after {timeout}s: {self.stderr_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def stderr_tail(self, size: int = 2000) -> str:
        with contextlib.suppress(OSError):
            return self.stderr_path.read_text(errors="replace")[-size:]
        return ""

    def rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
        return float("nan")

    def cpu_seconds(self) -> float:
        """User + system CPU of the server process (all its threads) and its helpers so far."""
        assert self.proc is not None
        return sum(pid_cpu_seconds(pid) for pid in [self.proc.pid, *self.helpers])

    def rows(self) -> int:
        if self.kind == "ceiling":
            return 0
        return self._count("SELECT count(*) FROM events")

    def pending(self) -> int | None:
        if self.kind != "bot":
            return None
        return self._count("SELECT count(*) FROM events WHERE processed_at IS NULL")

    def _count(self, query: str) -> int:
        if self.database_url is not None:
            import psycopg  # only the PostgreSQL benchmark needs it

            with psycopg.connect(self.database_url) as pg:
                row = pg.execute(query).fetchone()
                return int(row[0]) if row else 0
        with contextlib.closing(sqlite3.connect(self.db, timeout=30)) as conn:
            return int(conn.execute(query).fetchone()[0])


def pid_cpu_seconds(pid: int) -> float:
    """User + system CPU of process `pid` (all its threads) so far; 0 once it has gone."""
    try:
        parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def readyz(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=1.0)
    try:
        conn.request("GET", "/readyz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


_serial = 0


@contextlib.contextmanager
def running(kind: str, token: str, workdir: Path) -> Iterator[Server]:
    """A server on a free port with a fresh SQLite file of its own."""
    global _serial
    _serial += 1
    port = free_port()
    server = Server(kind, port, workdir / f"{kind}-{_serial}.db", token, workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------
# wrk


def run_wrk(
    server: Server,
    script: Path,
    data: Path,
    *,
    start: int,
    count: int,
    duration_s: float,
    connections: int,
    threads: int = 1,
    limit: int = 0,
    stop_when_rows: int | None = None,
) -> dict[str, Any]:
    """wrk -t threads -c connections -d duration over requests[start:start+count]; with `limit`
    wrk sends that many and then the orchestrator interrupts it once `stop_when_rows` rows are
    stored (wrk itself always waits out -d)."""
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_s:g}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        server.public_url,
        "--",
        str(data),
        str(start),
        str(count),
        str(limit),
        str(threads),
    ]
    cpu_before = server.cpu_seconds()
    busy_before = busy_seconds()
    children_before = children_cpu_seconds()
    wall = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if stop_when_rows is not None:
        # Interrupt wrk once the store holds `stop_when_rows` rows, or once it stops growing for
        # 2 s after wrk stopped sending (a few requests in flight when wrk's thread stops can be
        # lost on the way, so the exact target may never be reached).
        deadline = time.monotonic() + duration_s + 5
        last, since = -1, time.monotonic()
        while proc.poll() is None and time.monotonic() < deadline:
            rows = server.rows()
            if rows >= stop_when_rows:
                break
            if rows != last:
                last, since = rows, time.monotonic()
            elif time.monotonic() - since > 2.0:
                break
            time.sleep(0.1)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=duration_s + 60)
    wall = time.perf_counter() - wall
    lines = [line for line in out.splitlines() if line.startswith("WRK_JSON ")]
    if not lines:
        raise RuntimeError(f"wrk printed no summary: {out}\n{err}")
    result: dict[str, Any] = json.loads(lines[-1][len("WRK_JSON ") :])
    result["ok"] = result["requests"] - result["status"]
    result["duration_s"] = result["duration_us"] / 1e6
    server_cpu = server.cpu_seconds() - cpu_before
    wrk_cpu = children_cpu_seconds() - children_before
    busy = busy_seconds() - busy_before
    # In cores busy on average over the run: the server, wrk, and everything else on the machine.
    result["server_cpu"] = round(server_cpu / wall, 2)
    result["wrk_cpu"] = round(wrk_cpu / wall, 2)
    result["other_cpu"] = round(max(0.0, busy - server_cpu - wrk_cpu) / wall, 2)
    result["wall_s"] = round(wall, 2)
    return result


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------------------------
# Rows


def row1_throughput(
    token: str,
    workdir: Path,
    duration_s: float,
    connections: int,
    rounds: int,
    per_round: int,
    start: Callable[[str], contextlib.AbstractContextManager[Server]] | None = None,
) -> dict[str, Any]:
    """The three servers run side by side (idle ones cost nothing measurable); each round runs
    wrk against each of them in turn, in a rotated order, so that background load (other jobs on
    this 2-core machine) falls on all three alike. Figures are medians over the rounds.
    `start(kind)` runs each server (default: `running`, on SQLite)."""
    if start is None:
        start = partial(running, token=token, workdir=workdir)
    warmup = 5000
    kinds = ("ceiling", "reference", "bot")
    out: dict[str, Any] = {
        "wrk": f"wrk -t1 -c{connections} -d{duration_s:g}s",
        "rounds": rounds,
        "runs": [],
        "servers": {},
    }
    with contextlib.ExitStack() as stack:
        servers = {kind: stack.enter_context(start(kind)) for kind in kinds}
        files = {}
        for kind, server in servers.items():
            reqs = make_requests(
                token, server.public_url, warmup + rounds * per_round, secrets.token_hex(4)
            )
            files[kind] = write_wrk_files(reqs, workdir / kind)
            # Warm up on requests of their own (2 s), then measure on fresh Sids.
            run_wrk(
                server,
                *files[kind],
                start=0,
                count=warmup,
                duration_s=2,
                connections=connections,
                limit=warmup,
            )
        for round_no in range(rounds):
            order = kinds[round_no % 3 :] + kinds[: round_no % 3]
            for kind in order:
                server = servers[kind]
                wait_drained(server, 30.0)
                time.sleep(0.3)
                rows_before = server.rows()
                wrk = run_wrk(
                    server,
                    *files[kind],
                    start=warmup + round_no * per_round,
                    count=per_round,
                    duration_s=duration_s,
                    connections=connections,
                )
                time.sleep(0.5)  # let the requests in flight when wrk stopped finish
                run: dict[str, Any] = {
                    "round": round_no,
                    "server": kind,
                    "ok": wrk["ok"],
                    "non_200": wrk["status"],
                    "socket_errors": wrk["connect"] + wrk["read"] + wrk["write"] + wrk["timeout"],
                    "duration_s": round(wrk["duration_s"], 3),
                    "per_s": round(wrk["ok"] / wrk["duration_s"], 1),
                    "wrk_p50_ms": wrk["p50_us"] / 1000,
                    "wrk_p99_ms": wrk["p99_us"] / 1000,
                    "server_cpu": wrk["server_cpu"],
                    "wrk_cpu": wrk["wrk_cpu"],
                    "other_cpu": wrk["other_cpu"],
                }
                if kind != "ceiling":
                    rows_added = server.rows() - rows_before
                    repeated = wrk["requests"] > per_round
                    run["rows_added"] = rows_added
                    # Every 200 must be stored; up to `connections` more may be stored whose
                    # answers wrk did not wait for when it stopped.
                    run["store_check"] = (
                        "ok"
                        if wrk["ok"] <= rows_added <= wrk["ok"] + connections and not repeated
                        else "MISMATCH" + (" (requests repeated)" if repeated else "")
                    )
                if kind == "bot":
                    run["pending_after"] = server.pending()
                    run["worker_drain_s"] = wait_drained(server, 30.0)
                out["runs"].append(run)
    for kind in kinds:
        runs = [r for r in out["runs"] if r["server"] == kind]
        entry: dict[str, Any] = {
            "per_s": round(statistics.median(r["per_s"] for r in runs), 1),
            "per_s_runs": [r["per_s"] for r in runs],
            "server_cpu": round(statistics.median(r["server_cpu"] for r in runs), 2),
            "other_cpu": round(statistics.median(r["other_cpu"] for r in runs), 2),
            "wrk_p99_ms": round(statistics.median(r["wrk_p99_ms"] for r in runs), 1),
            "non_200": sum(r["non_200"] for r in runs),
            "socket_errors": sum(r["socket_errors"] for r in runs),
        }
        if kind != "ceiling":
            entry["ok"] = sum(r["ok"] for r in runs)
            entry["rows_added"] = sum(r["rows_added"] for r in runs)
            checks = {r["store_check"] for r in runs}
            entry["store_check"] = "ok" if checks == {"ok"} else ", ".join(sorted(checks))
        if kind == "bot":
            entry["pending_after_max"] = max(r["pending_after"] or 0 for r in runs)
            drains = [r["worker_drain_s"] for r in runs]
            entry["worker_drain_s_max"] = None if None in drains else max(drains)
        out["servers"][kind] = entry
    per_round_ratio = []
    for round_no in range(rounds):
        by = {r["server"]: r["per_s"] for r in out["runs"] if r["round"] == round_no}
        per_round_ratio.append(round(by["bot"] / by["reference"], 3))
    bot = out["servers"]["bot"]["per_s"]
    ref = out["servers"]["reference"]["per_s"]
    ceiling = out["servers"]["ceiling"]["per_s"]
    out["ratio_bot_reference"] = round(bot / ref, 3)
    out["ratio_bot_reference_by_round"] = per_round_ratio
    out["ratio_bot_ceiling"] = round(bot / ceiling, 3)
    out["ratio_reference_ceiling"] = round(ref / ceiling, 3)
    return out


def wait_drained(server: Server, timeout: float) -> float | None:
    """Seconds until the worker has processed every stored event (None: not within timeout)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if server.pending() == 0:
            return round(time.perf_counter() - start, 2)
        time.sleep(0.1)
    return None


def row2_latency(token: str, workdir: Path, duration_s: float, rate: float) -> dict[str, Any]:
    warmup_s = 2.0
    out: dict[str, Any] = {"rate": rate, "duration_s": duration_s, "servers": {}}
    for kind in ("reference", "bot"):
        with running(kind, token, workdir) as server:
            count = int((duration_s + warmup_s) * rate) + 10
            reqs = make_requests(token, server.public_url, count, secrets.token_hex(4))
            payloads = [reqs.raw(i, server.port) for i in range(count)]
            rows_before = server.rows()
            cpu_before = server.cpu_seconds()
            busy_before = busy_seconds()
            self_before = self_cpu_seconds()
            wall = time.perf_counter()
            result = run_open_loop(
                HOST, server.port, payloads, rate=rate, duration_s=duration_s, warmup_s=warmup_s
            )
            wall = time.perf_counter() - wall
            cpu = server.cpu_seconds() - cpu_before
            generator = self_cpu_seconds() - self_before
            other = busy_seconds() - busy_before - cpu - generator
            time.sleep(0.5)
            entry: dict[str, Any] = result.summary()
            entry["rows_added"] = server.rows() - rows_before
            entry["server_cpu"] = round(cpu / wall, 2)
            entry["generator_cpu"] = round(generator / wall, 2)
            entry["other_cpu"] = round(max(0.0, other) / wall, 2)
            if kind == "bot":
                entry["pending_after"] = server.pending()
            out["servers"][kind] = entry
            del payloads
    return out


def row6_memory(
    token: str, workdir: Path, total: int, step: int, connections: int
) -> dict[str, Any]:
    samples: list[dict[str, Any]] = []
    with running("bot", token, workdir) as server:
        reqs = make_requests(token, server.public_url, total, secrets.token_hex(4))
        script, data = write_wrk_files(reqs, workdir / "row6")
        samples.append({"events": server.rows(), "rss_mb": round(server.rss_mb(), 1)})
        for start in range(0, total, step):
            target = start + step
            run_wrk(
                server,
                script,
                data,
                start=start,
                count=step,
                duration_s=300,
                connections=connections,
                limit=step,
                stop_when_rows=target,
            )
            drained = wait_drained(server, 60.0)
            samples.append(
                {
                    "events": server.rows(),
                    "rss_mb": round(server.rss_mb(), 1),
                    "worker_drain_s": drained,
                }
            )
    rss = [s["rss_mb"] for s in samples]
    return {
        "samples": samples,
        "max_rss_mb": max(rss),
        "growth_after_first_step_mb": round(rss[-1] - rss[1], 1) if len(rss) > 2 else None,
    }


def row7_start(token: str, workdir: Path, runs: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in ("reference", "bot"):
        times = []
        for _ in range(runs):
            with running(kind, token, workdir) as server:
                times.append(round(server.ready_after_s, 3))
        out[kind] = {"runs_s": times, "median_s": round(statistics.median(times), 3)}
    return out


# --------------------------------------------------------------------------------------------
# Report


def cores(entry: dict[str, Any]) -> str:
    return f"{entry['server_cpu']:.2f} ({entry['other_cpu']:.2f})"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def table(results: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    add(f"{'row':<4}{'what':<52}{'bot':>12}{'reference':>12}{'ceiling':>12}  target / verdict")
    add("-" * 120)
    r1 = results.get("row1")
    if r1:
        s = r1["servers"]
        b, r, c = s["bot"], s["reference"], s["ceiling"]
        label = f"accepted+stored/s, {r1['wrk']}, median of {r1['rounds']}"
        by_round = " ".join(f"{x:.2f}" for x in r1["ratio_bot_reference_by_round"])
        add(
            f"{'1':<4}{label:<52}{b['per_s']:>12,.0f}{r['per_s']:>12,.0f}{c['per_s']:>12,.0f}"
            f"  >= 5,000/s: {verdict(b['per_s'] >= TARGETS['throughput_per_s'])}"
        )
        add(
            f"{'':<4}{'ratio to reference (bot/ref by round ' + by_round + ')':<52}"
            f"{r1['ratio_bot_reference']:>12.2f}{1.0:>12.2f}"
            f"{1 / r1['ratio_reference_ceiling']:>12.2f}"
            f"  >= 0.8: {verdict(r1['ratio_bot_reference'] >= TARGETS['ratio_bot_reference'])}"
        )
        add(
            f"{'':<4}{'store check: rows added / 200 answers':<52}"
            f"{str(b['rows_added']) + '/' + str(b['ok']):>12}"
            f"{str(r['rows_added']) + '/' + str(r['ok']):>12}{'':>12}"
            f"  bot {b['store_check']}, reference {r['store_check']}"
        )
        add(
            f"{'':<4}{'cores busy: server (other jobs on the machine)':<52}"
            f"{cores(b):>12}"
            f"{cores(r):>12}"
            f"{cores(c):>12}"
            f"  bot backlog after a run <= {b['pending_after_max']}, "
            f"drained in <= {b['worker_drain_s_max']} s"
        )
    r2 = results.get("row2")
    if r2:
        s = r2["servers"]
        b, r = s["bot"], s["reference"]
        label = f"p99 answer ms, open loop {r2['rate']:.0f}/s {r2['duration_s']:g} s"
        add(
            f"{'2':<4}{label:<52}{b['p99_ms']:>12.2f}{r['p99_ms']:>12.2f}{'':>12}"
            f"  <= 20 ms: {verdict(b['p99_ms'] <= TARGETS['p99_ms'])}"
        )
        bot_detail = f"{b['p50_ms']:.1f} / {b['p999_ms']:.1f} / {b['max_ms']:.0f}"
        ref_detail = f"{r['p50_ms']:.1f} / {r['p999_ms']:.1f} / {r['max_ms']:.0f}"
        add(
            f"{'':<4}{'p50 / p99.9 / max ms':<52}bot {bot_detail}, reference {ref_detail}; "
            f"not 200 or no answer: bot {b['errors']}, reference {r['errors']}"
        )
        add(
            f"{'':<4}{'cores busy: server (other jobs on the machine)':<52}"
            f"{cores(b):>12}"
            f"{cores(r):>12}"
        )
    r6 = results.get("row6")
    if r6:
        trail = ", ".join(f"{x['events']:,}: {x['rss_mb']:.0f}" for x in r6["samples"])
        add(
            f"{'6':<4}{'RSS MB, max over samples':<52}{r6['max_rss_mb']:>12.1f}{'':>24}"
            f"  <= 120 MB: {verdict(r6['max_rss_mb'] <= TARGETS['rss_mb'])}"
        )
        add(f"{'':<4}{'RSS by stored events (MB)':<52}{trail}")
    r7 = results.get("row7")
    if r7:
        add(
            f"{'7':<4}{'start to ready s, median of ' + str(len(r7['bot']['runs_s'])):<52}"
            f"{r7['bot']['median_s']:>12.3f}{r7['reference']['median_s']:>12.3f}{'':>12}"
            f"  <= 2 s: {verdict(r7['bot']['median_s'] <= TARGETS['start_to_ready_s'])}"
        )
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    import starlette
    import uvicorn

    loop = "uvloop" if _importable("uvloop") else "asyncio"
    http = "httptools" if _importable("httptools") else "h11"
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return {
        "python": platform.python_version(),
        "uvicorn": uvicorn.__version__,
        "starlette": starlette.__version__,
        "uvicorn_loop_http": f"{loop}/{http} (uvicorn 'auto')",
        "cpus": os.cpu_count(),
        "wrk": wrk.strip(),
        "git_head": git("rev-parse", "--short", "HEAD"),
    }


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.strip()


def snapshot(rev: str, dest: Path) -> Path:
    """`notifier/` and `rules.toml` as committed at `rev`, extracted into `dest`."""
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "notifier", "rules.toml"],
        capture_output=True,
        cwd=ROOT,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter runs (smoke test)")
    parser.add_argument("--rows", default="1,2,6,7", help="which rows to run (default all)")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections")
    parser.add_argument(
        "--rss-events",
        type=int,
        help="row 6: stored events to reach (default 200,000; 100,000 with --quick), "
        "sampled at every quarter",
    )
    parser.add_argument(
        "--rev",
        help="benchmark the bot as committed at this git revision (e.g. HEAD) rather than the "
        "working tree, which other people may be editing",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    rows = {int(r) for r in args.rows.split(",") if r.strip()}
    quick = args.quick
    token = secrets.token_hex(16)
    results: dict[str, Any] = {
        "command": "python -m bench.ingest " + " ".join(argv if argv is not None else sys.argv[1:]),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": environment(),
        "targets": TARGETS,
    }
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        workdir = Path(tmp)
        if args.rev:
            global SNAPSHOT
            SNAPSHOT = snapshot(args.rev, workdir / "src")
            results["environment"]["bot_source"] = f"git archive {args.rev}"
            results["environment"]["bot_rev"] = git("rev-parse", "--short", args.rev)
        else:
            results["environment"]["bot_source"] = "working tree"
            dirty = git("status", "--porcelain", "--untracked-files=no", "notifier")
            results["environment"]["bot_tree_dirty"] = bool(dirty)
        if 1 in rows:
            duration = 5.0 if quick else 10.0
            print(
                f"row 1: throughput, wrk -t1 -c{args.connections} -d{duration:g}s, "
                f"{1 if quick else 3} round(s) ...",
                flush=True,
            )
            results["row1"] = row1_throughput(
                token,
                workdir,
                duration,
                args.connections,
                rounds=1 if quick else 3,
                per_round=100_000,
            )
        if 2 in rows:
            duration = 10.0 if quick else 60.0
            print(f"row 2: p99 at 1,000/s open loop for {duration:g} s ...", flush=True)
            results["row2"] = row2_latency(token, workdir, duration, 1000.0)
        if 6 in rows:
            total = args.rss_events or (100_000 if quick else 200_000)
            step = total // 4
            print(f"row 6: RSS over {total:,} stored events ...", flush=True)
            results["row6"] = row6_memory(token, workdir, total, step, args.connections)
        if 7 in rows:
            print("row 7: start to ready ...", flush=True)
            results["row7"] = row7_start(token, workdir, 3 if quick else 5)
    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    print()
    print(table(results))
    save_results("ingest", results)
    return 0


def save_results(kind: str, results: dict[str, Any]) -> None:
    """bench/results/<kind>-<UTC time>.json (git-ignored), and a line saying where."""
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{kind}-{stamp}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
