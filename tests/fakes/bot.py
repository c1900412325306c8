"""A real `notifier serve` process on a loopback port, in an environment that never reaches the
internet: `with serving(bot_env(tmp_path, url), tmp_path) as bot:` gives `bot.url`."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from fakes.cli import ERROR_CODES
from fakes.rules import CONSOLE_RULES

NOTIFIER = str(Path(sys.executable).parent / "notifier")
# Variables that would make the bot reach out or trust more than the test says.
_UNSET = ("PUBLIC_URL", "TWILIO_AUTH_TOKEN", "ALLOW_UNSIGNED_LOOPBACK", "FORWARDED_ALLOW_IPS")


def bot_env(
    folder: Path, database_url: str, rules: str | Path = CONSOLE_RULES, **extra: str
) -> dict[str, str]:
    """The environment of a bot on `database_url` with auth token "tok" and the local error
    catalog. `rules` is the text to write to `folder`/rules.toml, or a rules file already
    written; `extra` variables are set last (LOG_LEVEL is WARNING unless given)."""
    if isinstance(rules, str):
        rules_file = folder / "rules.toml"
        rules_file.write_text(rules)
    else:
        rules_file = rules
    env = {name: value for name, value in os.environ.items() if name not in _UNSET}
    env.update(
        TWILIO_AUTH_TOKEN="tok",
        DATABASE_URL=database_url,
        RULES_FILE=str(rules_file),
        TWILIO_ERROR_CODES_FILE=str(ERROR_CODES),
        LOG_LEVEL="WARNING",
    )
    return {**env, **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Bot:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[bytes]
    log: Path  # the server's stdout and stderr


@contextlib.contextmanager
def serving(env: dict[str, str], folder: Path) -> Iterator[Bot]:
    """Start `notifier serve` in `folder`, wait until /readyz answers 200, stop it on exit
    (SIGTERM, then SIGKILL after 10 s)."""
    port = free_port()
    log = folder / f"server-{port}.log"
    with log.open("wb") as out:
        command = [NOTIFIER, "serve", "--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(command, env=env, cwd=folder, stdout=out, stderr=out)
        try:
            bot = Bot(f"http://127.0.0.1:{port}", process, log)
            wait_until_ready(bot)
            yield bot
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_ready(bot: Bot, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if bot.process.poll() is not None:
            pytest.fail(f"the server exited with {bot.process.returncode}:\n{bot.log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{bot.url}/readyz", timeout=1).status_code == 200:
                return
        time.sleep(0.05)
    pytest.fail(f"the server was not ready within {seconds:g} s:\n{bot.log.read_text()}")
