"""The report: one line a check, fixes below, and a verdict only problems turn."""

from __future__ import annotations

import json

from notifier.doctor.report import as_json, as_text, healthy, ok, problem, skipped, warning

FINDINGS = [
    ok("store", "schema v10"),
    warning("slack scopes", "lacks channels:history", "add it"),
    skipped("smtp", "no receiver sends email"),
]


def test_warnings_and_skipped_checks_leave_the_deployment_healthy() -> None:
    assert healthy(FINDINGS)
    assert not healthy([*FINDINGS, problem("rules", "bad", "fix it")])


def test_text_shows_each_fix_under_its_check_and_counts_the_problems() -> None:
    lines = as_text([*FINDINGS, problem("rules", "rules.toml:3: bad", "run notifier check")])
    assert lines == [
        "ok       store: schema v10",
        "WARNING  slack scopes: lacks channels:history",
        "         fix: add it",
        "skipped  smtp: no receiver sends email",
        "PROBLEM  rules: rules.toml:3: bad",
        "         fix: run notifier check",
        "1 problem to fix",
    ]


def test_json_carries_the_verdict_and_every_check() -> None:
    report = json.loads(as_json(FINDINGS))
    assert report["ok"] is True
    assert report["checks"][1] == {
        "name": "slack scopes",
        "status": "warning",
        "detail": "lacks channels:history",
        "fix": "add it",
    }
