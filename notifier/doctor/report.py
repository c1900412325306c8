"""What one check found (ok, a warning, a problem with its fix, or skipped and why), and the
report of them all as text for a person or one JSON object for a script."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class Status(Enum):
    OK = "ok"
    # Works, but not as it should in production (development mode, no history scope...).
    WARNING = "warning"
    PROBLEM = "problem"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Finding:
    """One named result; `fix` says what to do, for warnings and problems."""

    name: str
    status: Status
    detail: str
    fix: str | None = None


def ok(name: str, detail: str) -> Finding:
    return Finding(name, Status.OK, detail)


def warning(name: str, detail: str, fix: str) -> Finding:
    return Finding(name, Status.WARNING, detail, fix)


def problem(name: str, detail: str, fix: str) -> Finding:
    return Finding(name, Status.PROBLEM, detail, fix)


def skipped(name: str, why: str) -> Finding:
    return Finding(name, Status.SKIPPED, why)


def healthy(findings: Sequence[Finding]) -> bool:
    """Everything needed works: warnings and skipped checks do not stop a deployment."""
    return all(finding.status is not Status.PROBLEM for finding in findings)


_LABELS = {
    Status.OK: "ok",
    Status.WARNING: "WARNING",
    Status.PROBLEM: "PROBLEM",
    Status.SKIPPED: "skipped",
}
_WIDTH = max(len(label) for label in _LABELS.values()) + 2


def as_text(findings: Sequence[Finding]) -> list[str]:
    """One line per check, its fix indented below it, and a last line with the verdict."""
    lines = []
    for finding in findings:
        lines.append(f"{_LABELS[finding.status]:<{_WIDTH}}{finding.name}: {finding.detail}")
        if finding.fix:
            lines.append(f"{'':<{_WIDTH}}fix: {finding.fix}")
    problems = sum(finding.status is Status.PROBLEM for finding in findings)
    if problems:
        lines.append(f"{problems} problem{'s' if problems > 1 else ''} to fix")
    else:
        lines.append("everything needed works")
    return lines


def as_json(findings: Sequence[Finding]) -> str:
    checks = [
        {"name": f.name, "status": f.status.value, "detail": f.detail, "fix": f.fix}
        for f in findings
    ]
    return json.dumps({"ok": healthy(findings), "checks": checks})
