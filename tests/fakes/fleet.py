"""A scaled deployment as real processes on loopback: `notifier serve --no-worker --no-clock`
web processes, `notifier worker` and `notifier clock`, all on one store, each with its own log.

    with Fleet(env, folder) as fleet:
        web, = fleet.webs("web-1")        # http://127.0.0.1:PORT, once /readyz answered 200
        fleet.start("worker-1", "worker")
        fleet.kill("worker-1")             # SIGKILL
        fleet.restart("worker-1")

Leaving the block stops every process (SIGTERM, then SIGKILL) and, when it is left on an
exception, prints the end of each process's log, so a failing test shows what the bot said.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from fakes.bot import NOTIFIER, Bot, free_port, wait_until_ready

STOP_SECONDS = 10.0
# A bound, not an expected time: five processes importing at once on a busy 2-core machine take
# many seconds, and each start migrates under an advisory lock that every schema of the same
# PostgreSQL database shares, so tests running beside this one make it wait.
READY_SECONDS = 120.0
LOG_TAIL = 4000  # characters of each log printed on failure


@dataclass
class Member:
    name: str
    args: tuple[str, ...]  # after `notifier`
    log: Path
    process: subprocess.Popen[bytes]
    url: str | None = None  # web processes only


class Fleet:
    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.members: dict[str, Member] = {}

    def __enter__(self) -> Fleet:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop_all()
        if error is not None:
            print(self.logs())

    def webs(self, *names: str) -> list[str]:
        """Start web processes without worker and clock; their base URLs once all are ready."""
        members = []
        for name in names:
            port = str(free_port())
            args = ("serve", "--host", "127.0.0.1", "--port", port, "--no-worker", "--no-clock")
            members.append(self.start(name, *args))
            members[-1].url = f"http://127.0.0.1:{port}"
        for member in members:
            assert member.url is not None
            wait_until_ready(Bot(member.url, member.process, member.log), READY_SECONDS)
        return [str(member.url) for member in members]

    def start(self, name: str, *args: str) -> Member:
        log = self.folder / f"{name}.log"
        with log.open("ab") as out:  # a restart appends to the same log
            command = [NOTIFIER, *args]
            process = subprocess.Popen(
                command, env=self.env, cwd=self.folder, stdout=out, stderr=out
            )
        member = Member(name, args, log, process)
        self.members[name] = member
        return member

    def kill(self, name: str) -> None:
        process = self.members[name].process
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)

    def restart(self, name: str) -> Member:
        return self.start(name, *self.members[name].args)

    def exited(self) -> dict[str, int]:
        """The processes that ended on their own, with their exit codes."""
        ended = {name: member.process.poll() for name, member in self.members.items()}
        return {name: code for name, code in ended.items() if code is not None}

    def log(self, name: str) -> str:
        """Everything the process `name` wrote (across restarts)."""
        path = self.members[name].log
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self) -> str:
        """The end of every process's log, for a failure message."""
        parts = []
        for name, member in self.members.items():
            title = f"----- {name} ({' '.join(member.args)}) -----"
            parts.append(f"{title}\n{self.log(name)[-LOG_TAIL:]}")
        return "\n".join(parts)

    def stop_all(self) -> None:
        running = [m.process for m in self.members.values() if m.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
