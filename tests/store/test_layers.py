"""The store is the lowest layer of the bot's own code: it imports nothing built on it."""

import ast
import pathlib

import pytest

import notifier.store

STORE = pathlib.Path(notifier.store.__file__).parent
HIGHER = (
    "notifier.pipeline",
    "notifier.actions",
    "notifier.digest",
    "notifier.delivery",
    "notifier.cli",
    "notifier.app",
    "notifier.worker",
)


def imported(path: pathlib.Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(STORE.glob("*.py")), ids=lambda path: path.name)
def test_a_store_module_imports_no_higher_layer(path: pathlib.Path) -> None:
    higher = {name for name in imported(path) if name.startswith(HIGHER)}

    assert higher == set()
