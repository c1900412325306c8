"""The lock files pin every dependency pyproject.toml names, at a version it allows, with hashes."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", re.MULTILINE)


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def declared(extra: str | None) -> list[Requirement]:
    names = list(PYPROJECT["dependencies"])
    if extra:
        names += PYPROJECT["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


@pytest.mark.parametrize(
    ("lock", "extra"), [("requirements.txt", None), ("requirements-dev.txt", "test")]
)
def test_lock_pins_every_declared_dependency_within_its_range(lock: str, extra: str | None) -> None:
    pinned = pins(lock)
    locked = {req: pinned.get(canonicalize_name(req.name)) for req in declared(extra)}
    stale = [
        f"{req} (locked: {version or 'missing'})"
        for req, version in locked.items()
        if version is None or not req.specifier.contains(version, prereleases=True)
    ]

    assert not stale, f"{lock} is stale, run `make lock`: {stale}"


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_every_pin_carries_a_hash(lock: str) -> None:
    entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", (ROOT / lock).read_text(encoding="utf-8"))
    unhashed = [e.split()[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]

    assert not unhashed


def test_python_version_is_within_requires_python() -> None:
    version = (ROOT / ".python-version").read_text(encoding="utf-8").strip()

    assert Requirement(f"python{PYPROJECT['requires-python']}").specifier.contains(version + ".0")
