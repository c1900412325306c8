import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def make_run_commands(*variables: str) -> str:
    """What `make run` would execute, without running any of it."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = subprocess.run(
        ["make", "-n", "run", *variables], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.mark.parametrize(
    ("variables", "port"),
    [((), "8000"), (("PORT=9000",), "9000")],
    ids=["default-port", "port-given-on-the-command-line"],
)
def test_make_run_banner_sends_the_sample_to_the_port_the_bot_listens_on(
    variables: tuple[str, ...], port: str
) -> None:
    commands = make_run_commands(*variables)

    assert f"PORT={port} .venv/bin/notifier serve" in commands
    [simulate] = re.findall(r"notifier simulate debugger.*?(?=\"|$)", commands, re.MULTILINE)
    assert simulate == f"notifier simulate debugger --url http://127.0.0.1:{port}"
