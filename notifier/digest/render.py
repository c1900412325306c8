"""A digest report as plain text: pure, the report and the render context are all it needs."""

from __future__ import annotations

from notifier.digest import facts as d
from notifier.digest.build import DigestReport
from notifier.digest.facts import CONSOLE_URL, title, trend
from notifier.render.context import RenderContext

__all__ = ["CONSOLE_URL", "render_text", "title", "trend"]


def render_text(report: DigestReport, ctx: RenderContext) -> str:
    """The digest as plain text: one line when the period was quiet."""
    if report.quiet:
        return d.quiet_line(report, ctx) + "\n"
    sections = [
        [title(report, ctx), *(f"{label}: {text}" for label, text in d.totals(report))],
        _codes(report, ctx),
        _routes(report),
        _fired(report, ctx),
        _failed(report),
        [f"Console: {CONSOLE_URL}"],
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


def _codes(report: DigestReport, ctx: RenderContext) -> list[str]:
    if not report.codes:
        return []
    lines = ["Error codes:"]
    for line in report.codes:
        lines += _code(d.code_facts(line, ctx))
    if report.more_codes:
        lines.append(f"  and {report.more_codes} more codes")
    return lines


def _code(code: d.CodeFacts) -> list[str]:
    about = f" {code.about}" if code.about else ""
    lines = [
        f"  {code.code}{' NEW' if code.new else ''}: {code.count} ({code.trend}){about}",
        f"    first {code.first}, last {code.last}; docs {code.docs}",
    ]
    if code.accounts:
        lines.append(f"    accounts: {code.accounts}")
    if code.resources:
        lines.append(f"    resources: {code.resources}")
    return lines


def _routes(report: DigestReport) -> list[str]:
    return [
        "Routes:",
        *(f"  {route}: {outcomes}" for route, outcomes in d.routes(report)),
        f"Suppressed: {d.counts(report.suppressed)}",
    ]


def _fired(report: DigestReport, ctx: RenderContext) -> list[str]:
    if not report.fired_total:
        return []
    lines = [f"Usage triggers and alarms fired: {report.fired_total}"]
    lines += [f"  {i.when} {i.source} {i.name}: {i.values}" for i in d.fired(report, ctx)]
    more = d.unlisted(report.fired_total, len(report.fired))
    return lines + ([f"  {more}"] if more else [])


def _failed(report: DigestReport) -> list[str]:
    if not report.failed:
        return ["Failed deliveries: none"]
    lines = [f"Failed deliveries: {d.failed_total(report)}"]
    lines += [f"  {i.route} -> {i.receiver}: {i.count} ({i.error})" for i in d.failed(report)]
    return lines
