import logging
import os
from pathlib import Path

import pytest

from notifier.rules.holder import RulesHolder

RECEIVERS = "[receivers.local]\nconsole = {}\n"


def rules_text(*names: str, receiver: str = "local") -> str:
    routes = "".join(
        f'\n[[routes]]\nname = "{name}"\nreceivers = ["{receiver}"]\n' for name in names
    )
    return RECEIVERS + routes


def write(path: Path, text: str, mtime: float) -> None:
    """Write and set the mtime explicitly, so coarse filesystem clocks cannot decide the test."""
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def route_names(holder: RulesHolder) -> list[str]:
    return [route.name for route in holder.rules.routes]


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.toml"
    write(path, rules_text("a"), 1_000_000)
    return path


def test_unchanged_file_is_not_reloaded(rules_file: Path) -> None:
    holder = RulesHolder(rules_file)

    assert holder.reload_if_changed() is False
    assert route_names(holder) == ["a"]


def test_edited_file_takes_effect_on_the_next_poll(rules_file: Path) -> None:
    holder = RulesHolder(rules_file)
    write(rules_file, rules_text("a", "b"), 1_000_060)

    assert holder.reload_if_changed() is True
    assert route_names(holder) == ["a", "b"]
    assert holder.reload_if_changed() is False


def test_edit_within_the_same_mtime_tick_is_still_seen(rules_file: Path) -> None:
    holder = RulesHolder(rules_file)
    write(rules_file, rules_text("a", "b"), 1_000_000)

    assert holder.reload_if_changed() is True
    assert route_names(holder) == ["a", "b"]


def test_invalid_edit_keeps_the_previous_rules_and_names_the_line(
    rules_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    holder = RulesHolder(rules_file)
    write(rules_file, rules_text("a", receiver="ops-slak"), 1_000_060)

    with caplog.at_level(logging.ERROR, logger="notifier.rules.holder"):
        assert holder.reload_if_changed() is False

    assert route_names(holder) == ["a"]
    assert holder.error == f'{rules_file}:6: route "a": unknown receiver "ops-slak"'
    assert "previous rules stay in force" in caplog.text
    assert 'unknown receiver "ops-slak"' in caplog.text


def test_invalid_edit_is_reported_once_not_on_every_poll(
    rules_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    holder = RulesHolder(rules_file)
    write(rules_file, "[routes\n", 1_000_060)
    holder.reload_if_changed()
    caplog.clear()

    with caplog.at_level(logging.ERROR, logger="notifier.rules.holder"):
        assert holder.reload_if_changed() is False

    assert caplog.records == []
    assert holder.error is not None


def test_fixing_the_file_clears_the_error(rules_file: Path) -> None:
    holder = RulesHolder(rules_file)
    write(rules_file, rules_text("a", receiver="ops-slak"), 1_000_060)
    holder.reload_if_changed()
    write(rules_file, rules_text("a", "c"), 1_000_120)

    assert holder.reload_if_changed() is True
    assert (holder.error, route_names(holder)) == (None, ["a", "c"])


def test_deleted_file_keeps_the_rules_and_says_it_cannot_be_read(rules_file: Path) -> None:
    holder = RulesHolder(rules_file)
    rules_file.unlink()

    assert holder.reload_if_changed() is False
    assert route_names(holder) == ["a"]
    assert holder.error is not None
    assert holder.error.startswith(f"{rules_file}: cannot read the rules")


def test_explicit_reload_rereads_even_an_unchanged_file(rules_file: Path) -> None:
    holder = RulesHolder(rules_file)

    assert holder.reload() is True
    assert holder.error is None
