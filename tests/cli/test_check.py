from pathlib import Path

import pytest

from notifier.cli import main

REPO_RULES = Path(__file__).parents[2] / "rules.toml"


def write_rules(tmp_path: Path, text: str) -> str:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_valid_rules_print_ok_with_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(REPO_RULES)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{REPO_RULES}: OK (3 routes, 2 receivers)\n"
    assert err == ""


def test_default_path_comes_from_rules_file_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_rules(tmp_path, "")
    monkeypatch.setenv("RULES_FILE", path)
    assert main(["check"]) == 0
    assert capsys.readouterr().out == f"{path}: OK (0 routes, 0 receivers)\n"


def test_default_path_is_rules_toml_in_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_rules(tmp_path, "")
    monkeypatch.delenv("RULES_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 0
    assert capsys.readouterr().out == "rules.toml: OK (0 routes, 0 receivers)\n"


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        (
            '[[routes]]\nname = "webhooks"\nreceivers = ["ops-slak"]\n\n[settings]\nzone = "UTC"\n',
            [
                '{path}:3: route "webhooks": unknown receiver "ops-slak"',
                '{path}:6: settings: unknown key "zone" (expected one of timezone, retention, '
                "accounts)",
            ],
        ),
        (
            "[settings\n",
            ["{path}:1: Expected ']' at the end of a table declaration (at line 1, column 10)"],
        ),
    ],
    ids=["every-located-error", "toml-syntax-error"],
)
def test_invalid_rules_print_each_located_error_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, errors: list[str]
) -> None:
    path = write_rules(tmp_path, text)
    assert main(["check", path]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [error.format(path=path) for error in errors]


def test_missing_file_is_a_located_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nope.toml"
    assert main(["check", str(path)]) == 1
    assert capsys.readouterr().err == f"{path}: cannot read the rules: No such file or directory\n"


def test_warnings_are_printed_after_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_rules(tmp_path, '[[routes]]\nname = "nowhere"\n')
    assert main(["check", path]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: OK (1 routes, 0 receivers)",
        f'warning: {path}:1: route "nowhere": no receivers: '
        "its alerts are recorded but sent nowhere",
    ]
