"""A digest report as one Slack Block Kit message, within Slack's limits, all text escaped."""

from __future__ import annotations

from typing import Any

from notifier.digest.build import CodeLine, DigestReport
from notifier.digest.render import CONSOLE_URL, title, trend
from notifier.render.context import RenderContext, local_time
from notifier.render.escape import mrkdwn, mrkdwn_truncated, safe_url
from notifier.render.slack import (
    MAX_BLOCKS,
    MAX_FALLBACK,
    Block,
    actions_block,
    fit,
    header_block,
)
from notifier.twilio.sids import error_docs_link

MAX_VALUE = 200  # one name or value from Twilio or a user, within a line


def render_digest_slack(report: DigestReport, ctx: RenderContext) -> dict[str, Any]:
    """`{"text": fallback, "blocks": [...]}`: totals, a section per code, routes, failures."""
    head = title(report, ctx)
    if report.quiet:
        quiet = f"{head}: all quiet, no events and no failed deliveries."
        return {"text": mrkdwn_truncated(quiet, MAX_FALLBACK), "blocks": [_text(mrkdwn(quiet))]}
    blocks = [
        header_block(f"Digest {report.name}{' (late)' if report.late else ''}"),
        _text(_totals(report, ctx)),
        *(_text(_code(line, ctx)) for line in report.codes),
        *_more_codes(report),
        _text(_routes(report)),
        *_fired(report, ctx),
        _text(_failed(report)),
        actions_block([("Twilio Console: debugger", CONSOLE_URL)]),
    ]
    fallback = f"{head}: {report.total} events, {len(report.new_codes)} new codes"
    return {"text": mrkdwn_truncated(fallback, MAX_FALLBACK), "blocks": blocks[:MAX_BLOCKS]}


def _text(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": fit(text)}}


def _v(text: str) -> str:
    return mrkdwn_truncated(text, MAX_VALUE)


def _totals(report: DigestReport, ctx: RenderContext) -> str:
    start = local_time(report.start, ctx, "%Y-%m-%d %H:%M")
    end = local_time(report.end, ctx, "%Y-%m-%d %H:%M %Z")
    new = ", ".join(_v(code) for code in report.new_codes) or "none"
    return "\n".join(
        [
            f"{start} to {end}",
            f"*Events:* {report.total} ({trend(report.total, report.previous_total)} vs "
            f"{report.previous_total} the period before)",
            f"*By level:* {_counts(report.by_level)}",
            f"*By source:* {_counts(report.by_source)}",
            f"*New codes:* {new}",
        ]
    )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{_v(name)} {count}" for name, count in counts.items() if count) or "none"


def _code(line: CodeLine, ctx: RenderContext) -> str:
    docs = mrkdwn(safe_url(error_docs_link(line.code)))  # & in a link is &amp; too
    about = " / ".join(_v(part) for part in (line.product, line.message) if part)
    first = local_time(line.first_seen, ctx, "%m-%d %H:%M")
    last = local_time(line.last_seen, ctx, "%m-%d %H:%M")
    lines = [
        f"*<{docs}|{_v(line.code)}>*{' :new: NEW' if line.new else ''}: {line.count} "
        f"({trend(line.count, line.previous)}){' ' + about if about else ''}",
        f"first {first}, last {last}",
    ]
    if line.top_accounts:
        accounts = ", ".join(
            f"{_v(ctx.accounts.get(sid, sid))} {count}" for sid, count in line.top_accounts
        )
        lines.append(f"accounts: {accounts}")
    if line.top_resources:
        lines.append(f"resources: {', '.join(f'{_v(v)} {n}' for v, n in line.top_resources)}")
    return "\n".join(lines)


def _more_codes(report: DigestReport) -> list[Block]:
    if not report.more_codes:
        return []
    more = {"type": "mrkdwn", "text": f"and {report.more_codes} more codes"}
    return [{"type": "context", "elements": [more]}]


def _routes(report: DigestReport) -> str:
    lines = [f"• {_v(route)}: {_counts(outcomes)}" for route, outcomes in report.routes.items()]
    return "\n".join(
        [
            "*Routes*",
            *lines,
            f"• no route: {report.unmatched}",
            f"*Suppressed:* {_counts(report.suppressed)}",
        ]
    )


def _fired(report: DigestReport, ctx: RenderContext) -> list[Block]:
    if not report.fired_total:
        return []
    lines = [f"*Usage triggers and alarms fired:* {report.fired_total}"]
    for item in report.fired:
        when = local_time(item.time, ctx, "%m-%d %H:%M")
        values = f"{_v(item.current_value or '?')} (trigger {_v(item.trigger_value or '?')})"
        lines.append(f"• {when} {_v(item.source)} {_v(item.name or '-')}: {values}")
    if report.fired_total > len(report.fired):
        lines.append(f"and {report.fired_total - len(report.fired)} more")
    return [_text("\n".join(lines))]


def _failed(report: DigestReport) -> str:
    if not report.failed:
        return "*Failed deliveries:* none"
    lines = [f"*Failed deliveries:* {sum(item.count for item in report.failed)}"]
    for item in report.failed:
        error = _v(item.last_error or "-")
        lines.append(f"• {_v(item.route)} → {_v(item.receiver)}: {item.count} ({error})")
    return "\n".join(lines)
