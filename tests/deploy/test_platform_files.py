"""The files a platform reads agree with each other, with the Procfile and with the code."""

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from notifier.cli import build_parser
from notifier.settings import ENV_NAMES, ENVIRONMENT

ROOT = Path(__file__).parents[2]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def render_service() -> dict[str, object]:
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text(encoding="utf-8"))
    service: dict[str, object] = blueprint["services"][0]
    return service


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_procfile_roles_are_notifier_commands() -> None:
    roles = procfile()
    parser = build_parser()

    assert set(roles) == {"web", "worker", "clock", "release"}
    for command in roles.values():
        for part in command.split(" && "):
            argv = shlex.split(part.replace("$PORT", "8000"))
            assert argv[:3] == ["python", "-m", "notifier"]
            parser.parse_args(argv[3:])  # exits on an unknown subcommand or flag


def test_render_runs_what_the_procfile_runs() -> None:
    service = render_service()
    roles = procfile()

    assert service["startCommand"] == roles["web"]
    assert service["preDeployCommand"] == roles["release"]
    assert service["buildCommand"] == "pip install --require-hashes -r requirements.txt"


def test_health_checks_use_the_liveness_path() -> None:
    assert render_service()["healthCheckPath"] == "/healthz"
    assert "/healthz" in dockerfile().split("HEALTHCHECK", 1)[1]


def render_env() -> dict[str, dict[str, object]]:
    return {var["key"]: var for var in render_service()["envVars"]}  # type: ignore[attr-defined]


def heroku_env() -> dict[str, dict[str, object]]:
    env: dict[str, dict[str, object]] = json.loads((ROOT / "app.json").read_text(encoding="utf-8"))[
        "env"
    ]
    return env


@pytest.mark.parametrize("platform", [render_env, heroku_env], ids=["render", "heroku"])
def test_platforms_set_only_variables_the_bot_reads(
    platform: Callable[[], dict[str, dict[str, object]]],
) -> None:
    assert set(platform()) <= ENV_NAMES


def test_render_leaves_every_secret_to_the_user_or_its_database() -> None:
    env = render_env()

    for var in (var for var in ENVIRONMENT if var.secret and var.name in env):
        assert env[var.name] == {"key": var.name, "sync": False} or "fromDatabase" in env[var.name]
    assert "fromDatabase" in env["DATABASE_URL"]


def test_heroku_asks_for_every_secret_without_a_default() -> None:
    env = heroku_env()

    for var in (var for var in ENVIRONMENT if var.secret and var.name in env):
        assert "value" not in env[var.name], var.name


def test_readme_names_every_variable_the_bot_reads() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert [var.name for var in ENVIRONMENT if f"`{var.name}`" not in readme] == []


def test_heroku_app_provisions_postgres_and_one_web_dyno() -> None:
    app = json.loads((ROOT / "app.json").read_text(encoding="utf-8"))

    assert app["formation"] == {"web": {"quantity": 1, "size": "basic"}}
    assert any(addon["plan"].startswith("heroku-postgresql") for addon in app["addons"])
    assert app["env"]["TWILIO_AUTH_TOKEN"]["required"] is True
    assert "value" not in app["env"]["TWILIO_AUTH_TOKEN"]


def test_container_and_buildpacks_use_the_python_of_python_version() -> None:
    version = (ROOT / ".python-version").read_text(encoding="utf-8").strip()

    images = re.findall(r"^FROM python:(\S+?)-slim", dockerfile(), re.MULTILINE)

    assert images == [version, version]


def test_container_installs_from_the_lock_file_and_runs_unprivileged() -> None:
    text = dockerfile()

    assert "pip install --require-hashes -r /src/requirements.txt" in text
    assert re.search(r"^USER notifier$", text, re.MULTILINE)
    assert text.rstrip().endswith('CMD ["notifier", "serve"]')
