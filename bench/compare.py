"""Two revisions of the bot under row 1's load, in alternating rounds.

    python -m bench.compare REV_A REV_B [--rounds 6] [--seconds 8] [--random-sids]

Each revision (`git archive`, as `bench.ingest --rev`) runs as `notifier serve` with its worker,
side by side on fresh SQLite files; every round runs `wrk -t1 -c50` against one, then the other
(the order swaps each round), so that the machine's drifting speed falls on both alike. Prints
each round's 200s per second and B/A ratio, then the medians. --random-sids gives the requests
random Sids, as Twilio's are, instead of a counter. Needs wrk.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.ingest import (
    Server,
    free_port,
    make_requests,
    run_wrk,
    snapshot,
    wait_drained,
    write_wrk_files,
)

CONNECTIONS = 50
WARMUP = 5000
PER_ROUND = 120_000  # more than one wrk run can send: no Sid repeats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument("revs", nargs=2, metavar="REV")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=8.0, help="wrk duration per run")
    parser.add_argument("--random-sids", action="store_true")
    args = parser.parse_args(argv)
    token = secrets.token_hex(16)
    rates: list[list[float]] = [[], []]
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-compare-")))
        servers: list[Server] = []
        files: list[tuple[Path, Path]] = []
        for i, rev in enumerate(args.revs):
            source = snapshot(rev, workdir / f"src{i}")
            server = Server(
                "bot", free_port(), workdir / f"bot{i}.db", token, workdir, source=source
            )
            server.start()
            stack.callback(server.stop)
            requests = make_requests(
                token,
                server.public_url,
                WARMUP + args.rounds * PER_ROUND,
                secrets.token_hex(4),
                random_sids=args.random_sids,
            )
            (workdir / f"wrk{i}").mkdir()
            files.append(write_wrk_files(requests, workdir / f"wrk{i}"))
            servers.append(server)
            run_wrk(
                server,
                *files[i],
                start=0,
                count=WARMUP,
                duration_s=2,
                connections=CONNECTIONS,
                limit=WARMUP,
            )
        for round_no in range(args.rounds):
            for i in (0, 1) if round_no % 2 == 0 else (1, 0):
                if wait_drained(servers[i], 30.0) is None:
                    print(f"warning: {args.revs[i]}'s worker still busy after 30 s", flush=True)
                time.sleep(0.3)
                wrk = run_wrk(
                    servers[i],
                    *files[i],
                    start=WARMUP + round_no * PER_ROUND,
                    count=PER_ROUND,
                    duration_s=args.seconds,
                    connections=CONNECTIONS,
                )
                if wrk["requests"] > PER_ROUND:  # wrk went round its requests: Sids repeated
                    parser.error(f"more than {PER_ROUND:,} requests in a run: use fewer --seconds")
                rates[i].append(wrk["ok"] / wrk["duration_s"])
            a, b = rates[0][-1], rates[1][-1]
            print(f"round {round_no}: A {a:,.0f}/s  B {b:,.0f}/s  B/A {b / a:.3f}", flush=True)
    ratios = [b / a for a, b in zip(*rates, strict=True)]
    print(
        f"median: A ({args.revs[0]}) {statistics.median(rates[0]):,.0f}/s, "
        f"B ({args.revs[1]}) {statistics.median(rates[1]):,.0f}/s, "
        f"B/A {statistics.median(ratios):.3f} (rounds {min(ratios):.2f}-{max(ratios):.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
