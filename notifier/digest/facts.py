"""What every digest medium shows, as raw (unescaped) text: the digest's counterpart of
notifier/render/facts.py. Each value from Twilio or a user is already cut to MAX_VALUE."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from notifier.digest.build import CodeLine, DigestReport
from notifier.render.context import RenderContext, local_time
from notifier.render.escape import truncate
from notifier.twilio.sids import debugger_link, error_docs_link

MAX_VALUE = 200  # one name or value from Twilio or a user
CONSOLE_URL = debugger_link(None)
CONSOLE_LINK = ("Twilio Console: debugger", CONSOLE_URL)
SHORT = "%m-%d %H:%M"

Fact = tuple[str, str]


def trend(current: int, previous: int) -> str:
    """`↑ 50%` / `↓ 20%` / `=` against the previous period; `new` when it had nothing."""
    if current == previous:
        return "="
    if previous == 0:
        return "new"
    change = round((current - previous) * 100 / previous)
    return f"{'↑' if current > previous else '↓'} {abs(change)}%"


def title(report: DigestReport, ctx: RenderContext) -> str:
    late = " (late)" if report.late else ""
    return f"Digest {report.name}: {period(report, ctx)}{late}"


def period(report: DigestReport, ctx: RenderContext) -> str:
    start = local_time(report.start, ctx, "%Y-%m-%d %H:%M")
    return f"{start} to {local_time(report.end, ctx, '%Y-%m-%d %H:%M %Z')}"


def quiet_line(report: DigestReport, ctx: RenderContext) -> str:
    return f"{title(report, ctx)}: all quiet, no events and no failed deliveries."


def value(text: str) -> str:
    return truncate(text, MAX_VALUE)


def counts(numbers: dict[str, int]) -> str:
    """`error 5, warning 2`; `none` when every count is zero."""
    return ", ".join(f"{value(name)} {n}" for name, n in numbers.items() if n) or "none"


def totals(report: DigestReport) -> list[Fact]:
    return [
        ("Events", f"{report.total} ({trend(report.total, report.previous_total)} "
         f"vs {report.previous_total} the period before)"),
        ("By level", counts(report.by_level)),
        ("By source", counts(report.by_source)),
        ("New codes", ", ".join(value(code) for code in report.new_codes) or "none"),
    ]  # fmt: skip


@dataclass(frozen=True)
class CodeFacts:
    """One error code's line: counts and trend, what the catalog calls it, where it was seen."""

    code: str
    new: bool
    count: int
    trend: str
    about: str  # "product / message", or empty
    first: str
    last: str
    accounts: str  # "production 3, AC… 2", or empty
    resources: str
    docs: str


def code_facts(line: CodeLine, ctx: RenderContext) -> CodeFacts:
    names = ctx.accounts
    return CodeFacts(
        code=value(line.code),
        new=line.new,
        count=line.count,
        trend=trend(line.count, line.previous),
        about=" / ".join(value(part) for part in (line.product, line.message) if part),
        first=local_time(line.first_seen, ctx, SHORT),
        last=local_time(line.last_seen, ctx, SHORT),
        accounts=_pairs((names.get(sid, sid), n) for sid, n in line.top_accounts),
        resources=_pairs(line.top_resources),
        docs=error_docs_link(line.code),
    )


def _pairs(pairs: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{value(name)} {n}" for name, n in pairs)


def routes(report: DigestReport) -> list[Fact]:
    """Each route's outcomes, then the events no route matched."""
    rows = [(value(route), counts(outcomes)) for route, outcomes in report.routes.items()]
    return [*rows, ("no route", str(report.unmatched))]


@dataclass(frozen=True)
class FiredFacts:
    when: str
    source: str
    name: str
    values: str  # "12 (trigger 10)"


def fired(report: DigestReport, ctx: RenderContext) -> list[FiredFacts]:
    return [
        FiredFacts(
            when=local_time(item.time, ctx, SHORT),
            source=value(item.source),
            name=value(item.name or "-"),
            values=f"{value(item.current_value or '?')} "
            f"(trigger {value(item.trigger_value or '?')})",
        )
        for item in report.fired
    ]


@dataclass(frozen=True)
class FailedFacts:
    route: str
    receiver: str
    count: int
    error: str


def failed(report: DigestReport) -> list[FailedFacts]:
    return [
        FailedFacts(value(item.route), value(item.receiver), item.count,
                    value(item.last_error or "-"))
        for item in report.failed
    ]  # fmt: skip


def failed_total(report: DigestReport) -> int:
    return sum(item.count for item in report.failed)


def unlisted(total: int, listed: int) -> str | None:
    """`and 4 more` for what the report counts but does not list."""
    return f"and {total - listed} more" if total > listed else None
