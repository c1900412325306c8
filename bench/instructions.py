"""Instructions per webhook, worker on: a figure that does not move with the machine's speed.

    python -m bench.instructions [--events 3000]

Needs valgrind. Signed debugger webhooks go through the real ASGI app in-process (no HTTP) with
the worker running and the example rules.toml, until the worker has processed them all, under
`valgrind --tool=callgrind`; a run with one event is subtracted, which leaves the instructions
per event of ingest plus worker. The requests are signed beforehand by this process, so their
signing is not counted. Wall-clock ratios on this machine move by ±10% between identical runs;
these counts move by well under 1%, so they compare two revisions of one code path.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import re
import subprocess
import sys
import tempfile
from contextlib import redirect_stdout
from pathlib import Path

from bench.app_ingest import BASE, ERROR_CODES_FILE, TOKEN, send_all, signed_requests
from notifier.app import Runtime, create_app
from notifier.cli.common import settle_collector
from notifier.settings import Settings
from notifier.store.events import pending_backlog

ROOT = Path(__file__).resolve().parent.parent


async def _drive(runtime: Runtime, requests: list[tuple[str, bytes, str]]) -> None:
    app = create_app(runtime, run_worker=True)
    async with app.app.router.lifespan_context(app):
        await send_all(app, requests)
        while True:
            with runtime.engine.connect() as conn:
                if pending_backlog(conn)[0] == 0:
                    break
            await asyncio.sleep(0.01)


def run_once(requests_file: Path) -> None:
    """The measured process: load the signed requests, serve them, wait for the worker."""
    requests = [(p, b.encode(), s) for p, b, s in json.loads(requests_file.read_text())]
    settings = Settings(
        auth_tokens=(TOKEN,),
        public_url=BASE,
        database_url=f"sqlite:///{requests_file.parent / 'store.db'}",
        rules_file=ROOT / "rules.toml",
        error_codes_file=ERROR_CODES_FILE,
    )
    runtime = Runtime.start(settings, fetch_catalog=False)
    settle_collector()  # as `notifier serve` does once started
    with redirect_stdout(io.StringIO()):  # the console receiver prints every alert
        asyncio.run(_drive(runtime, requests))
    runtime.engine.dispose()


def instructions(count: int) -> int:
    with tempfile.TemporaryDirectory() as directory:
        requests_file = Path(directory) / "requests.json"
        signed = [(p, b.decode(), s) for p, b, s in signed_requests(count)]
        requests_file.write_text(json.dumps(signed))
        command = [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "bench.instructions",
            "--measure",
            str(requests_file),
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    match = re.search(r"refs:\s+([\d,]+)", done.stderr)
    assert match, done.stderr[-2000:]
    return int(match.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        run_once(args.measure)
        return 0
    base, total = instructions(1), instructions(args.events)
    per_event = (total - base) / (args.events - 1)
    print(f"{args.events} events: {total:,} instructions, start-up {base:,}")
    print(f"per event (ingest + worker): {per_event / 1e6:.3f} M instructions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
