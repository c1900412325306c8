"""A digest report as plain text: pure, the report and the render context are all it needs."""

from __future__ import annotations

from notifier.digest.build import CodeLine, DigestReport
from notifier.render.context import RenderContext, local_time
from notifier.twilio.sids import debugger_link, error_docs_link

CONSOLE_URL = debugger_link(None)


def trend(current: int, previous: int) -> str:
    """`↑ 50%` / `↓ 20%` / `=` against the previous period; `new` when it had nothing."""
    if current == previous:
        return "="
    if previous == 0:
        return "new"
    change = round((current - previous) * 100 / previous)
    return f"{'↑' if current > previous else '↓'} {abs(change)}%"


def title(report: DigestReport, ctx: RenderContext) -> str:
    start = local_time(report.start, ctx, "%Y-%m-%d %H:%M")
    end = local_time(report.end, ctx, "%Y-%m-%d %H:%M %Z")
    late = " (late)" if report.late else ""
    return f"Digest {report.name}: {start} to {end}{late}"


def render_text(report: DigestReport, ctx: RenderContext) -> str:
    """The digest as plain text: one line when the period was quiet."""
    head = title(report, ctx)
    if report.quiet:
        return f"{head}: all quiet, no events and no failed deliveries.\n"
    sections = [
        [head, *_totals(report)],
        _codes(report, ctx),
        _routes(report),
        _fired(report, ctx),
        _failed(report),
        [f"Console: {CONSOLE_URL}"],
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items() if count) or "none"


def _totals(report: DigestReport) -> list[str]:
    return [
        f"Events: {report.total} ({trend(report.total, report.previous_total)} "
        f"vs {report.previous_total} the period before)",
        f"By level: {_counts(report.by_level)}",
        f"By source: {_counts(report.by_source)}",
        f"New codes: {', '.join(report.new_codes) or 'none'}",
    ]


def _codes(report: DigestReport, ctx: RenderContext) -> list[str]:
    if not report.codes:
        return []
    lines = ["Error codes:"]
    for line in report.codes:
        lines += _code(line, ctx)
    if report.more_codes:
        lines.append(f"  and {report.more_codes} more codes")
    return lines


def _code(line: CodeLine, ctx: RenderContext) -> list[str]:
    about = " / ".join(part for part in (line.product, line.message) if part)
    new = " NEW" if line.new else ""
    first = local_time(line.first_seen, ctx, "%m-%d %H:%M")
    last = local_time(line.last_seen, ctx, "%m-%d %H:%M")
    lines = [
        f"  {line.code}{new}: {line.count} ({trend(line.count, line.previous)})"
        f"{' ' + about if about else ''}",
        f"    first {first}, last {last}; docs {error_docs_link(line.code)}",
    ]
    if line.top_accounts:
        lines.append(f"    accounts: {_pairs(line.top_accounts, ctx.accounts)}")
    if line.top_resources:
        lines.append(f"    resources: {_pairs(line.top_resources, {})}")
    return lines


def _pairs(pairs: tuple[tuple[str, int], ...], names: dict[str, str]) -> str:
    return ", ".join(f"{names.get(value, value)} {count}" for value, count in pairs)


def _routes(report: DigestReport) -> list[str]:
    lines = [f"  {route}: {_counts(outcomes)}" for route, outcomes in report.routes.items()]
    return [
        "Routes:",
        *lines,
        f"  no route: {report.unmatched}",
        f"Suppressed: {_counts(report.suppressed)}",
    ]


def _fired(report: DigestReport, ctx: RenderContext) -> list[str]:
    if not report.fired_total:
        return []
    lines = [f"Usage triggers and alarms fired: {report.fired_total}"]
    for item in report.fired:
        values = f"{item.current_value or '?'} (trigger {item.trigger_value or '?'})"
        when = local_time(item.time, ctx, "%m-%d %H:%M")
        lines.append(f"  {when} {item.source} {item.name or '-'}: {values}")
    if report.fired_total > len(report.fired):
        lines.append(f"  and {report.fired_total - len(report.fired)} more")
    return lines


def _failed(report: DigestReport) -> list[str]:
    if not report.failed:
        return ["Failed deliveries: none"]
    lines = [f"Failed deliveries: {sum(item.count for item in report.failed)}"]
    for item in report.failed:
        lines.append(f"  {item.route} -> {item.receiver}: {item.count} ({item.last_error or '-'})")
    return lines
