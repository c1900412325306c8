"""Profile a server under the row-1 load: py-spy samples it while wrk (or the open loop) runs.

    .venv/bin/pip install py-spy        # into the venv only; not a project dependency
    python -m bench.profile [bot|reference] [--seconds 10] [--rate 1000] [--idle] [--rev HEAD]
                            [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Without --rate: wrk -t1 -c50 closed loop (as row 1). With --rate: the open-loop generator at
that many requests per second (as row 2). Prints the functions holding the most samples,
inclusive and self, per thread, and writes the raw collapsed stacks (flamegraph.pl input) to
bench/results/profile-<server>-<timestamp>.txt. --idle also counts threads that are waiting
(lock waits, sleeps, blocked I/O); without it only running (GIL-holding or in C) samples count.
--postgres ADMIN_URL: the server stores into a fresh PostgreSQL database created there (the
reference is then bench/reference.py's reference-pg), as in bench/postgres.py.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from bench import ingest
from bench.openloop import run_open_loop


def summarise(path: Path, top: int) -> str:
    inclusive: dict[str, Counter[str]] = defaultdict(Counter)
    own: dict[str, Counter[str]] = defaultdict(Counter)
    per_thread: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = stack.split(";")
        # "thread (TID): NAME"; executor threads (NAME_0, NAME_1, ...) counted together.
        name = frames[0].split(": ", 1)[-1] if frames[0].startswith("thread") else "?"
        thread = name.rstrip("0123456789").rstrip("_") or name
        total += count
        per_thread[thread] += count
        for frame in set(frames[1:]):
            inclusive[thread][frame] += count
        own[thread][frames[-1]] += count
    lines = [
        f"{total} samples; by thread: "
        + ", ".join(f"{name} {count / total:.0%}" for name, count in per_thread.most_common())
    ]
    for thread in sorted(per_thread, key=lambda t: -per_thread[t]):
        lines.append(f"\n== {thread}: inclusive (% of all samples)")
        for frame, count in inclusive[thread].most_common(top):
            if "<module>" in frame or "_bootstrap" in frame or "_run_code" in frame:
                continue
            lines.append(f"{count / total:6.1%}  {frame[:140]}")
        lines.append(f"== {thread}: self")
        for frame, count in own[thread].most_common(top // 2):
            lines.append(f"{count / total:6.1%}  {frame[:140]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("server", nargs="?", default="bot", choices=("bot", "reference"))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rate", type=float, help="open loop at this rate instead of wrk")
    parser.add_argument("--idle", action="store_true", help="count waiting threads too")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--rev", help="profile the bot as committed at this revision")
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="store into a fresh PG database")
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("py-spy is not installed: .venv/bin/pip install py-spy", file=sys.stderr)
        return 2
    token = secrets.token_hex(16)
    ingest.RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ingest.RESULTS / f"profile-{args.server}-{stamp}.txt"
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        workdir = Path(tmp)
        if args.rev:
            ingest.SNAPSHOT = ingest.snapshot(args.rev, workdir / "src")
        if args.postgres:
            from bench.postgres import ingest_server

            running = ingest_server(args.server, token, workdir, args.postgres)
        else:
            running = ingest.running(args.server, token, workdir)
        with running as server:
            count = int(args.seconds * (args.rate or 20_000)) + 5000
            reqs = ingest.make_requests(token, server.public_url, count, secrets.token_hex(4))
            assert server.proc is not None
            record = [
                spy,
                "record",
                "-p",
                str(server.proc.pid),
                "-d",
                str(args.seconds),
                "-r",
                "250",
                "--threads",
                "-f",
                "raw",
                "-o",
                str(out),
                "--nonblocking",
            ]
            if args.idle:
                record.append("--idle")
            if args.rate:
                payloads = [reqs.raw(i, server.port) for i in range(count)]
                sampler = subprocess.Popen(record, stdout=subprocess.DEVNULL)
                time.sleep(0.5)
                result = run_open_loop(
                    ingest.HOST,
                    server.port,
                    payloads,
                    rate=args.rate,
                    duration_s=args.seconds,
                    warmup_s=0.5,
                )
                print("open loop:", result.summary())
            else:
                script, data = ingest.write_wrk_files(reqs, workdir / "wrk")
                sampler = subprocess.Popen(record, stdout=subprocess.DEVNULL)
                time.sleep(0.5)
                wrk = ingest.run_wrk(
                    server,
                    script,
                    data,
                    start=0,
                    count=count,
                    duration_s=args.seconds,
                    connections=50,
                )
                print(
                    f"wrk: {wrk['ok'] / wrk['duration_s']:.0f} answered 200 per s, "
                    f"server {wrk['server_cpu']} cores, other jobs {wrk['other_cpu']} cores"
                )
            sampler.wait(timeout=args.seconds + 30)
    print(summarise(out, args.top))
    print(f"\nraw stacks: {out.relative_to(ingest.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
