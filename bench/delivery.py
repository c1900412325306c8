"""Delivery benchmark of DESIGN section 9: event to first Slack post, and a storm of one code.

    python -m bench.delivery [--events 200] [--storm 10000] [--storm-seconds 60]

The real bot (`notifier serve`, worker in-process, temporary SQLite) posts to a FakeSlack
(tests/fakes/slack.py) that this process runs on 127.0.0.1, so Slack's arrival times and the
send times share one monotonic clock.

Rows:
 3  event -> first Slack post, p50/p99 (target <= 150 / <= 500 ms): `--events` signed debugger
    webhooks of distinct error codes, one every 50 ms. Each code has its own route and receiver
    with its own channel (#lat-N), so the one-message-per-second-per-channel pacing never
    delays a first post: the figure is the pipeline's latency, not the pacer's. Measured from
    just before the POST to the moment FakeSlack receives the chat.postMessage. The floor: a bare
    chat.postMessage POST to FakeSlack from this process (HTTP round trip), same run.
 4  storm: `--storm` signed debugger webhooks of code 11200 at a bounded rate over
    `--storm-seconds` (open loop), all to #alerts (group_interval 1m). Counted in FakeSlack:
    chat.postMessage and chat.update calls for #alerts, and 429 answers; in the store: events
    of code 11200 (every event counted) and the group's count. Targets: <= 2 posts, <= 1 edit
    per group_interval, 0 429s, stored == accepted.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.ingest import free_port, make_requests, readyz
from bench.openloop import run_open_loop
from notifier.simulate import sample
from notifier.twilio.catalog import BUNDLED as catalog_bundle
from notifier.twilio.signature import sign

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from fakes.slack import FakeSlack  # noqa: E402

ERROR_CODES_FILE = Path(str(catalog_bundle))
HOST = "127.0.0.1"
TOKEN = "bench-auth-token"
SLACK_TOKEN = "xoxb-bench-token"
STORM_CODE = "11200"
STORM_CHANNEL = "#alerts"
GROUP_INTERVAL_S = 60.0
SPACING_S = 0.05


def latency_codes(count: int) -> list[str]:
    """Distinct real codes from the catalog, the storm's code excluded."""
    data = json.loads(ERROR_CODES_FILE.read_text(encoding="utf-8"))
    codes = sorted({str(entry["code"]) for entry in data} - {STORM_CODE})
    return codes[:count]


def rules_text(codes: list[str], group_by: tuple[str, ...] = ("error_code",)) -> str:
    lines = [
        "[defaults]",
        f"group_by = {json.dumps(list(group_by))}",
        'group_wait = "0s"',
        f'group_interval = "{int(GROUP_INTERVAL_S)}s"',
        'repeat_interval = "4h"',
        "[receivers.alerts]",
        f'slack = {{ channel = "{STORM_CHANNEL}" }}',
    ]
    for i in range(len(codes)):
        lines += [f"[receivers.lat-{i}]", f'slack = {{ channel = "#lat-{i}" }}']
    for i, code in enumerate(codes):
        lines += [
            "[[routes]]",
            f'name = "lat-{i}"',
            f'match = {{ error_code = "{code}" }}',
            f'receivers = ["lat-{i}"]',
        ]
    lines += ["[[routes]]", 'name = "everything"', 'receivers = ["alerts"]']
    return "\n".join(lines) + "\n"


@dataclass
class Bot:
    port: int
    db: Path
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def query(self, sql: str) -> Any:
        with contextlib.closing(sqlite3.connect(self.db, timeout=30)) as conn:
            return conn.execute(sql).fetchall()


@contextlib.contextmanager
def running_bot(workdir: Path, slack: FakeSlack, codes: list[str]) -> Iterator[Bot]:
    rules = workdir / "rules.toml"
    rules.write_text(rules_text(codes), encoding="utf-8")
    port, db = free_port(), workdir / "bot.db"
    env = dict(os.environ)
    env.update(
        TWILIO_AUTH_TOKEN=TOKEN,
        PUBLIC_URL=f"http://{HOST}:{port}",
        DATABASE_URL=f"sqlite:///{db}",
        RULES_FILE=str(rules),
        SLACK_BOT_TOKEN=SLACK_TOKEN,
        SLACK_API_URL=slack.api_url,
        TWILIO_ERROR_CODES_FILE=str(ERROR_CODES_FILE),
        LOG_LEVEL="WARNING",
    )
    for name in ("SMTP_URL", "PORT", "ALLOW_UNSIGNED_LOOPBACK"):
        env.pop(name, None)
    notifier = Path(sys.executable).parent / "notifier"
    stderr = (workdir / "bot.stderr").open("ab")
    proc = subprocess.Popen(
        [str(notifier), "serve", "--host", HOST, "--port", str(port)],
        cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
    )  # fmt: skip
    stderr.close()
    bot = Bot(port, db, proc)
    try:
        _wait_ready(bot, workdir)
        yield bot
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _wait_ready(bot: Bot, workdir: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bot.proc.poll() is not None or readyz(bot.port):
            break
        time.sleep(0.01)
    if bot.proc.poll() is not None or not readyz(bot.port):
        tail = (workdir / "bot.stderr").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"the bot did not become ready: {tail}")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    data = sorted(values)
    return data[min(len(data) - 1, max(0, math.ceil(p / 100 * len(data)) - 1))]


def post_signed(conn: http.client.HTTPConnection, bot: Bot, code: str) -> int:
    request = sample("debugger", code)
    assert request.form is not None
    signature = sign(TOKEN, bot.url + request.path, request.form)
    headers = {"Content-Type": request.content_type, "X-Twilio-Signature": signature}
    conn.request("POST", request.path, request.body, headers)
    response = conn.getresponse()
    response.read()
    return response.status


def row3_latency(bot: Bot, slack: FakeSlack, codes: list[str]) -> dict[str, Any]:
    conn = http.client.HTTPConnection(HOST, bot.port, timeout=10)
    sent: dict[str, float] = {}
    statuses = []
    start = time.monotonic()
    for i, code in enumerate(codes):
        time.sleep(max(0.0, start + i * SPACING_S - time.monotonic()))
        sent[f"#lat-{i}"] = time.monotonic()
        statuses.append(post_signed(conn, bot, code))
    conn.close()
    first = _wait_first_posts(slack, set(sent), timeout=30.0)
    latencies = [(first[ch] - t) * 1000 for ch, t in sent.items() if ch in first]
    return {
        "events": len(codes),
        "accepted": statuses.count(200),
        "posted": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies, default=float("nan")), 1),
    }


def _wait_first_posts(slack: FakeSlack, channels: set[str], timeout: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while True:
        first: dict[str, float] = {}
        for req in slack.requests:
            channel = req.body.get("channel")
            if req.path.endswith("chat.postMessage") and channel in channels:
                first.setdefault(channel, req.arrived)
        if len(first) == len(channels) or time.monotonic() > deadline:
            return first
        time.sleep(0.1)


def floor_post(slack: FakeSlack, count: int = 200) -> dict[str, Any]:
    """A bare chat.postMessage to FakeSlack: the HTTP round trip no delivery can beat."""
    conn = http.client.HTTPConnection(HOST, slack.port, timeout=10)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {SLACK_TOKEN}"}
    body = json.dumps({"channel": "#floor", "text": "floor"})
    times = []
    for _ in range(count):
        began = time.perf_counter()
        conn.request("POST", "/api/chat.postMessage", body, headers)
        conn.getresponse().read()
        times.append((time.perf_counter() - began) * 1000)
    conn.close()
    return {"p50_ms": round(percentile(times, 50), 2), "p99_ms": round(percentile(times, 99), 2)}


def row4_storm(bot: Bot, slack: FakeSlack, count: int, seconds: float) -> dict[str, Any]:
    requests = make_requests(TOKEN, bot.url, count, os.urandom(4).hex())
    payloads = [requests.raw(i, bot.port) for i in range(count)]
    began = time.monotonic()
    result = run_open_loop(
        HOST, bot.port, payloads, rate=count / seconds, duration_s=seconds, warmup_s=0.0
    )
    _wait_processed(bot, timeout=60.0)
    # Stay one group_interval past the storm's start so the interval's edit can happen.
    time.sleep(max(0.0, began + GROUP_INTERVAL_S + 5.0 - time.monotonic()))
    # Posts name the channel; edits name the ID Slack answered with (as real Slack requires).
    storm_channel = {STORM_CHANNEL, slack.channel_id(STORM_CHANNEL)}
    calls = [r for r in slack.requests if r.body.get("channel") in storm_channel]
    posts = [r for r in calls if r.path.endswith("chat.postMessage")]
    edits = [r for r in calls if r.path.endswith("chat.update")]
    first_post = posts[0].arrived if posts else began
    moments = [first_post] + [r.arrived for r in edits]
    stored = bot.query(f"SELECT count(*) FROM events WHERE error_code = '{STORM_CODE}'")[0][0]
    return {
        "sent": result.scheduled,
        "accepted": result.ok,
        "stored": stored,
        "group_count": _group_count(bot),
        "posts": len(posts),
        "edits": len(edits),
        "edit_times_s": [round(r.arrived - began, 1) for r in edits],
        # Edits of one group must be at least group_interval apart (1 s of timer slack).
        "min_edit_gap_s": round(min(b - a for a, b in itertools.pairwise(moments)), 1)
        if len(moments) > 1
        else None,
        "window_s": seconds,
        "threaded_replies": sum(1 for r in posts if r.body.get("thread_ts")),
        "slack_429": sum(1 for r in slack.requests if r.status == 429),
        "answer_p99_ms": round(result.percentile(99), 1),
        "last_edit_count": _count_in(edits[-1].body) if edits else None,
    }


def _wait_processed(bot: Bot, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    query = "SELECT count(*) FROM events WHERE processed_at IS NULL"
    while bot.query(query)[0][0] and time.monotonic() < deadline:
        time.sleep(0.2)


def _group_count(bot: Bot) -> int | None:
    for key, state in bot.query("SELECT key, state FROM groups"):
        if STORM_CODE in key and STORM_CHANNEL.strip("#") not in key:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                return int(json.loads(state)["count"])
    return None


def _count_in(body: dict[str, Any]) -> str | None:
    blocks = body.get("blocks")
    if isinstance(blocks, str):
        with contextlib.suppress(ValueError):
            blocks = json.loads(blocks)
    if not isinstance(blocks, list):  # none, or text that was not JSON
        return None
    for block in blocks:
        for field in block.get("fields", []):
            if field.get("text", "").startswith("*Count*"):
                return str(field["text"].split("\n", 1)[1])
    return None


def report(floor: dict[str, Any], row3: dict[str, Any], row4: dict[str, Any] | None) -> str:
    lines = [
        f"floor: bare chat.postMessage to FakeSlack  p50 {floor['p50_ms']} ms  "
        f"p99 {floor['p99_ms']} ms",
        f"row 3: event -> first Slack post ({row3['posted']}/{row3['events']} posted, "
        f"{row3['accepted']} accepted)  p50 {row3['p50_ms']} ms (<= 150)  "
        f"p99 {row3['p99_ms']} ms (<= 500)  max {row3['max_ms']} ms  "
        f"{_verdict(row3['p50_ms'] <= 150 and row3['p99_ms'] <= 500)}",
    ]
    if row4 is not None:
        ok = (
            row4["posts"] <= 2
            and (row4["min_edit_gap_s"] or GROUP_INTERVAL_S) >= GROUP_INTERVAL_S - 1
            and row4["slack_429"] == 0
            and row4["stored"] == row4["accepted"]
        )
        lines.append(
            f"row 4: storm {row4['sent']} events in {row4['window_s']:.0f} s: "
            f"{row4['accepted']} accepted, {row4['stored']} stored, group count "
            f"{row4['group_count']}; Slack posts {row4['posts']} (<= 2), edits {row4['edits']} "
            f"at {row4['edit_times_s']} s (min gap {row4['min_edit_gap_s']} s), "
            f"429s {row4['slack_429']} (0), last edit count "
            f"{row4['last_edit_count']}  {_verdict(ok)}"
        )
    return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery", description=__doc__)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--storm", type=int, default=10_000, help="0 skips the storm row")
    parser.add_argument("--storm-seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    codes = latency_codes(args.events)
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlack(SLACK_TOKEN) as slack,
        running_bot(Path(tmp), slack, codes) as bot,
    ):
        floor = floor_post(slack)
        row3 = row3_latency(bot, slack, codes)
        row4 = row4_storm(bot, slack, args.storm, args.storm_seconds) if args.storm else None
        floor_after = floor_post(slack)
    print(report(floor, row3, row4))
    print(f"floor again after the run: p50 {floor_after['p50_ms']} ms")
    print(json.dumps({"floor": floor, "row3": row3, "row4": row4}, indent=None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
