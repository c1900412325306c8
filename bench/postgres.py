"""PostgreSQL benchmarks of DESIGN section 9 (issue 13 section 5): ingest, scale-out, latency.

    python -m bench.postgres [--quick] [--parts ingest,ingest-split,scale,latency]
                             [--admin-url URL] [--rev REV] [--web-cores CORES]

Needs wrk on PATH and a PostgreSQL server (default postgresql://postgres@127.0.0.1:5432/postgres)
on which the benchmark may CREATE DATABASE: every server gets a fresh database of its own,
dropped at the end. Servers are subprocesses on free ports of 127.0.0.1. Results: a table on
stdout and bench/results/postgres-<UTC time>.json. --rev REV runs the web processes from
`git archive REV` (as bench/ingest.py does; `notifier worker` and `migrate` stay this tree's).

Parts:
 ingest   signed debugger webhooks accepted (200) and stored, per second, wrk closed loop
          (bench/ingest.py's request sets, wrk script, rounds and row-count check): the bot
          (`notifier serve`, worker in-process) against `bench.reference reference-pg` and the
          bare ceiling. Target: bot >= 1.5 x reference.
 ingest-split  the same, the bot as the Procfile scales it: `notifier serve --no-worker
          --no-clock` and a `notifier worker` process beside it (their CPU counted together).
 scale    two `notifier serve --no-worker --no-clock` web processes (one wrk each, run at the same
          time, answers summed) plus one `notifier worker`, against one web process plus one
          worker, each shape on a database of its own. Target >= 1.6 x. --web-cores C holds
          each web process to C cores (bench/cpucap.py, a cgroup quota), as a PaaS holds a dyno:
          on a machine with fewer cores than the shapes need, this measures what the shared
          parts (database, worker) allow rather than how the processes split the machine.
 latency  event to Slack post, p50 / p99, during a steady storm (open loop) of signed webhooks,
          every one a group of its own (group_by error_code + resource_sid), spread round-robin
          over as many routes as codes, each with its own channel so the per-channel pacing
          never holds a post back; one web process, two `notifier worker`s, FakeSlack
          (tests/fakes/slack.py) in this process. From the scheduled send of the POST to
          FakeSlack's receipt of the chat.postMessage.

CPU is reported in cores busy over each run: the servers, the worker(s), the PostgreSQL
backends serving the run's database, the load generator, and everything else on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from bench import ingest
from bench.cpucap import cpu_cap
from bench.delivery import SLACK_TOKEN, floor_post, latency_codes, percentile, rules_text
from bench.ingest import (
    HOST,
    ROOT,
    Server,
    busy_seconds,
    children_cpu_seconds,
    environment,
    free_port,
    make_requests,
    pid_cpu_seconds,
    row1_throughput,
    run_wrk,
    save_results,
    self_cpu_seconds,
    verdict,
    wait_drained,
    write_wrk_files,
)
from bench.openloop import run_open_loop
from notifier.simulate import sample
from notifier.twilio.signature import sign

sys.path.insert(0, str(ROOT / "tests"))
from fakes.slack import FakeSlack

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
NOTIFIER = Path(sys.executable).parent / "notifier"
WEB_ONLY = ("--no-worker", "--no-clock")
TARGETS = {"ingest_ratio": 1.5, "scale_ratio": 1.6}
INGEST_SHAPES = {
    "ingest": "the bot (notifier serve, worker in-process)",
    "ingest-split": "the bot (notifier serve --no-worker --no-clock + notifier worker)",
}
RESOURCE_SID = re.compile(r"CA[0-9a-f]{32}")


# --------------------------------------------------------------------------------------------
# Databases and processes


def database_url(admin_url: str, name: str) -> str:
    return urlsplit(admin_url)._replace(path="/" + name).geturl()


@contextlib.contextmanager
def fresh_database(admin_url: str, role: str) -> Iterator[str]:
    """CREATE DATABASE bench_<role>_<random>; yields its URL; DROP (closing its sessions) after."""
    name = f"bench_{role}_{secrets.token_hex(3)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


def backend_pids(url: str) -> set[int]:
    """The server processes of every session on `url`'s database but this query's own."""
    query = (
        "SELECT pid FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with psycopg.connect(url, autocommit=True) as conn:
        return {int(row[0]) for row in conn.execute(query)}


def migrate(env: dict[str, str]) -> None:
    """Migrate once before several processes start on a fresh database, so none race to."""
    subprocess.run(
        [str(NOTIFIER), "migrate"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=60
    )


@contextlib.contextmanager
def web(
    kind: str,
    token: str,
    workdir: Path,
    url: str | None,
    serve_args: Sequence[str] = (),
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """A bot or reference on a free port, storing into `url` (None: the ceiling)."""
    server = Server(
        kind,
        free_port(),
        workdir / "unused.db",
        token,
        workdir,
        database_url=url,
        serve_args=tuple(serve_args),
        extra_env=extra_env or {},
    )
    if kind == "bot":
        migrate(server.env())
    server.start(timeout=60.0)
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def worker(env: dict[str, str], workdir: Path, name: str) -> Iterator[subprocess.Popen[bytes]]:
    """`notifier worker` with a web process's environment (its store, rules and Slack)."""
    with (workdir / f"{name}.stderr").open("ab") as stderr:
        proc = subprocess.Popen(
            [str(NOTIFIER), "worker"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextlib.contextmanager
def ingest_server(
    kind: str, token: str, workdir: Path, admin_url: str, *, split: bool = False
) -> Iterator[Server]:
    """bench.ingest's row-1 roles on PostgreSQL: the reference is `reference-pg`. `split`: the
    bot is a web process that runs no worker plus a `notifier worker` process, whose CPU counts
    as the bot's."""
    if kind == "ceiling":
        with web("ceiling", token, workdir, None) as server:
            yield server
        return
    with fresh_database(admin_url, kind) as url:
        if kind == "reference":
            with web("reference-pg", token, workdir, url) as server:
                yield server
            return
        with web(kind, token, workdir, url, WEB_ONLY if split else ()) as server:
            if not split:
                yield server
                return
            with worker(server.env(), workdir, "ingest-worker") as helper:
                server.helpers.append(helper.pid)
                yield server


# --------------------------------------------------------------------------------------------
# CPU accounting


@dataclass
class CpuMeter:
    """Cores busy over an interval, by group of processes, and the rest of the machine."""

    groups: dict[str, set[int]]
    database_url: str
    wall: float = field(default=0.0, init=False)
    busy: float = field(default=0.0, init=False)
    wrk: float = field(default=0.0, init=False)
    bench: float = field(default=0.0, init=False)
    before: dict[int, float] = field(default_factory=dict, init=False)

    def start(self) -> None:
        self.groups["db"] = backend_pids(self.database_url)
        self.before = {pid: pid_cpu_seconds(pid) for pids in self.groups.values() for pid in pids}
        self.wall, self.busy, self.wrk = time.perf_counter(), busy_seconds(), children_cpu_seconds()
        self.bench = self_cpu_seconds()

    def stop(self) -> dict[str, float]:
        """Cores busy per group, `wrk` (wrk processes), `bench` (this process: the open-loop
        generator and FakeSlack, when used) and `other` (everything else on the machine)."""
        self.groups["db"] |= backend_pids(self.database_url)
        wall = time.perf_counter() - self.wall
        out = {}
        for name, pids in self.groups.items():
            used = sum(pid_cpu_seconds(pid) - self.before.get(pid, 0.0) for pid in pids)
            out[name] = used / wall
        out["wrk"] = (children_cpu_seconds() - self.wrk) / wall
        out["bench"] = (self_cpu_seconds() - self.bench) / wall
        measured = sum(out.values())
        out["other"] = max(0.0, (busy_seconds() - self.busy) / wall - measured)
        return {name: round(value, 2) for name, value in out.items()}


# --------------------------------------------------------------------------------------------
# Part 1: ingest against the PostgreSQL reference


def part_ingest(
    token: str, workdir: Path, admin_url: str, duration_s: float, rounds: int, *, split: bool
) -> dict[str, Any]:
    def start(kind: str) -> contextlib.AbstractContextManager[Server]:
        return ingest_server(kind, token, workdir, admin_url, split=split)

    out = row1_throughput(
        token, workdir, duration_s, 50, rounds=rounds, per_round=60_000, start=start
    )
    # CPU per accepted request moves far less with the machine's load than the rates do.
    out["cpu_ms_per_request"] = {
        kind: round(
            statistics.median(
                r["server_cpu"] / r["per_s"] * 1000 for r in out["runs"] if r["server"] == kind
            ),
            3,
        )
        for kind in out["servers"]
    }
    return out


# --------------------------------------------------------------------------------------------
# Part 2: scale-out


@dataclass
class Shape:
    """Web processes and one worker on one database, and a wrk request file per web process."""

    name: str
    url: str
    webs: list[Server]
    worker_pid: int
    files: list[tuple[Path, Path]] = field(default_factory=list)


@contextlib.contextmanager
def running_shape(
    name: str,
    webs: int,
    token: str,
    workdir: Path,
    admin_url: str,
    requests: int,
    web_cores: float | None,
) -> Iterator[Shape]:
    """`web_cores`: each web process held to that much CPU (`bench.cpucap`), as a dyno is."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(fresh_database(admin_url, name))
        servers = [
            stack.enter_context(web("bot", token, workdir, url, WEB_ONLY)) for _ in range(webs)
        ]
        for server in servers:
            if web_cores is not None and server.proc is not None:
                stack.enter_context(cpu_cap(server.proc.pid, web_cores))
        proc = stack.enter_context(worker(servers[0].env(), workdir, f"{name}-worker"))
        shape = Shape(name, url, servers, proc.pid)
        for n, server in enumerate(servers):
            reqs = make_requests(token, server.public_url, requests, secrets.token_hex(4))
            shape.files.append(write_wrk_files(reqs, workdir / f"{name}-{n}"))
        yield shape


def measure_shape(
    shape: Shape, start: int, count: int, duration_s: float, connections: int
) -> dict[str, Any]:
    """One wrk per web process, all at once; answers summed."""
    first = shape.webs[0]
    wait_drained(first, 60.0)
    time.sleep(0.3)
    rows_before = first.rows()
    groups = {"web": {s.proc.pid for s in shape.webs if s.proc}, "worker": {shape.worker_pid}}
    meter = CpuMeter(groups, shape.url)
    meter.start()
    with ThreadPoolExecutor(len(shape.webs)) as pool:
        futures = [
            pool.submit(
                run_wrk,
                server,
                script,
                data,
                start=start,
                count=count,
                duration_s=duration_s,
                connections=connections,
            )
            for server, (script, data) in zip(shape.webs, shape.files, strict=True)
        ]
        results = [f.result() for f in futures]
    cpu = meter.stop()
    time.sleep(0.5)  # the requests in flight when wrk stopped
    ok = sum(r["ok"] for r in results)
    rows_added = first.rows() - rows_before
    in_flight = connections * len(shape.webs)
    repeated = any(r["requests"] > count for r in results)
    return {
        "shape": shape.name,
        "per_s": round(sum(r["ok"] / r["duration_s"] for r in results), 1),
        "per_s_by_web": [round(r["ok"] / r["duration_s"], 1) for r in results],
        "ok": ok,
        "non_200": sum(r["status"] for r in results),
        "rows_added": rows_added,
        "store_check": "ok" if ok <= rows_added <= ok + in_flight and not repeated else "MISMATCH",
        "wrk_p99_ms": [r["p99_us"] / 1000 for r in results],
        "cpu": cpu,
        "pending_after": first.pending(),
        "worker_drain_s": wait_drained(first, 120.0),
    }


def part_scale(
    token: str,
    workdir: Path,
    admin_url: str,
    duration_s: float,
    rounds: int,
    connections: int,
    web_cores: float | None,
) -> dict[str, Any]:
    per_round = 60_000
    warmup = 3_000
    requests = warmup + rounds * per_round
    runs: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        shapes = [
            stack.enter_context(
                running_shape(name, webs, token, workdir, admin_url, requests, web_cores)
            )
            for name, webs in (("one", 1), ("two", 2))
        ]
        for shape in shapes:  # warm up on requests of their own
            measure_shape(shape, 0, warmup, 2.0, connections)
        for round_no in range(rounds):
            order = shapes if round_no % 2 == 0 else shapes[::-1]
            for shape in order:
                start = warmup + round_no * per_round
                run = measure_shape(shape, start, per_round, duration_s, connections)
                runs.append(dict(run, round=round_no))
    return dict(summarise_scale(runs, rounds, connections, duration_s), web_cores=web_cores)


def summarise_scale(
    runs: list[dict[str, Any]], rounds: int, connections: int, duration_s: float
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "wrk": f"wrk -t1 -c{connections} -d{duration_s:g}s per web process",
        "rounds": rounds,
        "runs": runs,
        "shapes": {},
    }
    for name in ("one", "two"):
        mine = [r for r in runs if r["shape"] == name]
        cpu_names = mine[0]["cpu"].keys()
        out["shapes"][name] = {
            "per_s": round(statistics.median(r["per_s"] for r in mine), 1),
            "per_s_runs": [r["per_s"] for r in mine],
            "cpu": {k: round(statistics.median(r["cpu"][k] for r in mine), 2) for k in cpu_names},
            "store_check": ", ".join(sorted({r["store_check"] for r in mine})),
            "pending_after_max": max(r["pending_after"] or 0 for r in mine),
            "non_200": sum(r["non_200"] for r in mine),
        }
    by_round = []
    for round_no in range(rounds):
        by = {r["shape"]: r["per_s"] for r in runs if r["round"] == round_no}
        by_round.append(round(by["two"] / by["one"], 3))
    shapes = out["shapes"]
    out["ratio_two_one"] = round(shapes["two"]["per_s"] / shapes["one"]["per_s"], 3)
    out["ratio_by_round"] = by_round
    return out


# --------------------------------------------------------------------------------------------
# Part 3: event to Slack post with two workers during a storm


def storm_payloads(
    token: str, url: str, port: int, codes: list[str], count: int
) -> tuple[list[bytes], list[str]]:
    """Signed debugger webhooks, codes round-robin, each with a fresh Sid and resource Sid;
    and each one's resource Sid."""
    payloads, resources = [], []
    for i in range(count):
        request = sample("debugger", codes[i % len(codes)])
        assert request.form is not None
        signature = sign(token, url + request.path, request.form)
        body = request.body.encode()
        head = (
            f"POST {request.path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            f"Content-Type: {request.content_type}\r\nX-Twilio-Signature: {signature}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        payloads.append(head.encode() + body)
        resources.append(json.loads(request.form["Payload"])["resource_sid"])
    return payloads, resources


def first_posts(slack: FakeSlack) -> dict[str, float]:
    """Arrival time of the first chat.postMessage naming each resource Sid."""
    first: dict[str, float] = {}
    for req in slack.requests:
        if req.path.endswith("chat.postMessage") and req.status == 200:
            for sid in set(RESOURCE_SID.findall(json.dumps(req.body))):
                first.setdefault(sid, req.arrived)
    return first


def part_latency(
    token: str, workdir: Path, admin_url: str, rate: float, seconds: float, channels: int
) -> dict[str, Any]:
    codes = latency_codes(channels)
    rules = workdir / "latency-rules.toml"
    rules.write_text(rules_text(codes, ("error_code", "resource_sid")), encoding="utf-8")
    count = int(rate * seconds)
    with contextlib.ExitStack() as stack:
        slack = stack.enter_context(FakeSlack(SLACK_TOKEN))
        url = stack.enter_context(fresh_database(admin_url, "latency"))
        slack_env = {
            "SLACK_BOT_TOKEN": SLACK_TOKEN,
            "SLACK_API_URL": slack.api_url,
            "RULES_FILE": str(rules),
        }
        server = stack.enter_context(web("bot", token, workdir, url, WEB_ONLY, slack_env))
        workers = [stack.enter_context(worker(server.env(), workdir, f"lat-{n}")) for n in (1, 2)]
        floor = floor_post(slack)
        payloads, resources = storm_payloads(token, server.public_url, server.port, codes, count)
        assert server.proc is not None
        meter = CpuMeter({"web": {server.proc.pid}, "worker": {w.pid for w in workers}}, url)
        meter.start()
        result = run_open_loop(
            HOST, server.port, payloads, rate=rate, duration_s=seconds, warmup_s=0.0
        )
        cpu = meter.stop()
        first = wait_posts(slack, set(resources), timeout=60.0)
    latencies = [
        (first[sid] - (result.t0 + i / rate)) * 1000
        for i, sid in enumerate(resources)
        if sid in first
    ]
    return {
        "rate": rate,
        "seconds": seconds,
        "channels": channels,
        "sent": result.scheduled,
        "accepted": result.ok,
        "posted": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies, default=float("nan")), 1),
        "answer_p99_ms": round(result.percentile(99), 1),
        "slack_429": sum(1 for r in slack.requests if r.status == 429),
        "floor_post_ms": floor,
        "cpu": cpu,
    }


def wait_posts(slack: FakeSlack, wanted: set[str], timeout: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while True:
        first = first_posts(slack)
        if wanted <= first.keys() or time.monotonic() > deadline:
            return first
        time.sleep(0.5)


# --------------------------------------------------------------------------------------------
# Report


def cpu_text(cpu: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.2f}" for name, value in cpu.items())


def ingest_lines(ingest: dict[str, Any], title: str) -> list[str]:
    s = ingest["servers"]
    bot, ref, ceil = s["bot"], s["reference"], s["ceiling"]
    by_round = " / ".join(f"{x:.2f}" for x in ingest["ratio_bot_reference_by_round"])
    ratio = ingest["ratio_bot_reference"]
    return [
        f"{title} ({ingest['wrk']}, median of {ingest['rounds']}), accepted+stored per s:",
        f"  bot {bot['per_s']:,.0f}  reference-pg {ref['per_s']:,.0f}  "
        f"ceiling {ceil['per_s']:,.0f}",
        f"  ratio bot / reference {ratio:.2f} (rounds {by_round})  "
        f">= {TARGETS['ingest_ratio']}: {verdict(ratio >= TARGETS['ingest_ratio'])}",
        f"  store check: bot {bot['store_check']} ({bot['rows_added']}/{bot['ok']}), "
        f"reference {ref['store_check']} ({ref['rows_added']}/{ref['ok']}); "
        f"bot backlog after a run <= {bot['pending_after_max']}",
        f"  cores busy, server (other): bot {bot['server_cpu']:.2f} ({bot['other_cpu']:.2f}), "
        f"reference {ref['server_cpu']:.2f} ({ref['other_cpu']:.2f}), "
        f"ceiling {ceil['server_cpu']:.2f} ({ceil['other_cpu']:.2f})",
        "  CPU ms per accepted request (median of rounds): "
        + ", ".join(f"{k} {v:.3f}" for k, v in ingest["cpu_ms_per_request"].items()),
    ]


def table(results: dict[str, Any]) -> str:
    lines: list[str] = []
    for part, shape in INGEST_SHAPES.items():
        if part in results:
            lines += ingest_lines(results[part], f"{part}, {shape}")
    scale = results.get("scale")
    if scale:
        one, two = scale["shapes"]["one"], scale["shapes"]["two"]
        by_round = " / ".join(f"{x:.2f}" for x in scale["ratio_by_round"])
        ratio = scale["ratio_two_one"]
        lines += [
            f"scale-out ({scale['wrk']}, median of {scale['rounds']}; each web held to "
            f"{scale['web_cores'] or 'no limit of'} cores), accepted+stored per s:",
            f"  one web + worker {one['per_s']:,.0f}   two webs + worker {two['per_s']:,.0f}",
            f"  ratio two / one {ratio:.2f} (rounds {by_round})  "
            f">= {TARGETS['scale_ratio']}: {verdict(ratio >= TARGETS['scale_ratio'])}",
            f"  cores busy, one: {cpu_text(one['cpu'])}",
            f"  cores busy, two: {cpu_text(two['cpu'])}",
            f"  store check: one {one['store_check']}, two {two['store_check']}; worker backlog "
            f"after a run <= {one['pending_after_max']} / {two['pending_after_max']}",
        ]
    lat = results.get("latency")
    if lat:
        lines += [
            f"latency, two workers, storm {lat['rate']:g}/s for {lat['seconds']:g} s over "
            f"{lat['channels']} channels, every event a group:",
            f"  event -> Slack post p50 {lat['p50_ms']} ms, p99 {lat['p99_ms']} ms, "
            f"max {lat['max_ms']} ms ({lat['posted']}/{lat['sent']} posted, "
            f"{lat['accepted']} accepted, {lat['slack_429']} 429s)",
            f"  Twilio answered p99 {lat['answer_p99_ms']} ms; floor (bare post) p50 "
            f"{lat['floor_post_ms']['p50_ms']} ms; cores busy: {cpu_text(lat['cpu'])}",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.postgres", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter runs (smoke test)")
    parser.add_argument("--parts", default="ingest,ingest-split,scale,latency")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="may CREATE/DROP DATABASE")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections per web")
    parser.add_argument("--rate", type=float, default=10.0, help="latency storm, webhooks/s")
    parser.add_argument("--channels", type=int, default=200, help="latency storm routes")
    parser.add_argument("--rev", help="web processes from this git revision, not the tree")
    parser.add_argument(
        "--web-cores",
        type=float,
        help="scale: hold each web process to this much CPU (a cgroup quota, as a dyno's)",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    duration, rounds = (5.0, 1) if args.quick else (10.0, 3)
    token = secrets.token_hex(16)
    results: dict[str, Any] = {
        "command": "python -m bench.postgres " + " ".join(argv or sys.argv[1:]),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": environment(),
        "load_average_before": os.getloadavg(),
        "targets": TARGETS,
    }
    with tempfile.TemporaryDirectory(prefix="bench-postgres-") as tmp:
        workdir = Path(tmp)
        if args.rev:
            ingest.SNAPSHOT = ingest.snapshot(args.rev, workdir / "src")
            results["environment"]["bot_rev"] = ingest.git("rev-parse", "--short", args.rev)
        for part, split in (("ingest", False), ("ingest-split", True)):
            if part in parts:
                print(f"{part}: {INGEST_SHAPES[part]} vs reference-pg vs ceiling ...", flush=True)
                results[part] = part_ingest(
                    token, workdir, args.admin_url, duration, rounds, split=split
                )
        if "scale" in parts:
            print("scale-out: one web vs two webs, one worker ...", flush=True)
            results["scale"] = part_scale(
                token, workdir, args.admin_url, duration, rounds, args.connections, args.web_cores
            )
        if "latency" in parts:
            seconds = 10.0 if args.quick else 30.0
            print(f"latency: storm at {args.rate:g}/s for {seconds:g} s ...", flush=True)
            results["latency"] = part_latency(
                token, workdir, args.admin_url, args.rate, seconds, args.channels
            )
    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["load_average_after"] = os.getloadavg()
    print()
    print(table(results))
    save_results("postgres", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
