"""A digest report as one Slack Block Kit message, within Slack's limits, all text escaped."""

from __future__ import annotations

from typing import Any

from notifier.digest import facts as d
from notifier.digest.build import DigestReport
from notifier.render.block_kit import (
    MAX_BLOCKS,
    MAX_FALLBACK,
    Block,
    actions_block,
    context_block,
    fit,
    header_block,
)
from notifier.render.context import RenderContext
from notifier.render.escape import mrkdwn, mrkdwn_truncated, safe_url


def render_digest_slack(report: DigestReport, ctx: RenderContext) -> dict[str, Any]:
    """`{"text": fallback, "blocks": [...]}`: totals, a section per code, routes, failures."""
    if report.quiet:
        quiet = d.quiet_line(report, ctx)
        return {"text": mrkdwn_truncated(quiet, MAX_FALLBACK), "blocks": [_text(mrkdwn(quiet))]}
    blocks = [
        header_block(f"Digest {report.name}{' (late)' if report.late else ''}"),
        _text(_totals(report, ctx)),
        *(_text(_code(d.code_facts(line, ctx))) for line in report.codes),
        *([context_block(f"and {report.more_codes} more codes")] if report.more_codes else []),
        _text(_routes(report)),
        *_fired(report, ctx),
        _text(_failed(report)),
        actions_block([d.CONSOLE_LINK]),
    ]
    fallback = f"{d.title(report, ctx)}: {report.total} events, {len(report.new_codes)} new codes"
    return {"text": mrkdwn_truncated(fallback, MAX_FALLBACK), "blocks": blocks[:MAX_BLOCKS]}


def _text(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": fit(text)}}


def _totals(report: DigestReport, ctx: RenderContext) -> str:
    lines = [f"*{label}:* {mrkdwn(text)}" for label, text in d.totals(report)]
    return "\n".join([d.period(report, ctx), *lines])


def _code(code: d.CodeFacts) -> str:
    docs = mrkdwn(safe_url(code.docs))  # & in a link is &amp; too
    about = f" {mrkdwn(code.about)}" if code.about else ""
    lines = [
        f"*<{docs}|{mrkdwn(code.code)}>*{' :new: NEW' if code.new else ''}: {code.count} "
        f"({code.trend}){about}",
        f"first {code.first}, last {code.last}",
    ]
    if code.accounts:
        lines.append(f"accounts: {mrkdwn(code.accounts)}")
    if code.resources:
        lines.append(f"resources: {mrkdwn(code.resources)}")
    return "\n".join(lines)


def _routes(report: DigestReport) -> str:
    lines = [f"• {mrkdwn(route)}: {mrkdwn(outcomes)}" for route, outcomes in d.routes(report)]
    return "\n".join(["*Routes*", *lines, f"*Suppressed:* {mrkdwn(d.counts(report.suppressed))}"])


def _fired(report: DigestReport, ctx: RenderContext) -> list[Block]:
    if not report.fired_total:
        return []
    lines = [f"*Usage triggers and alarms fired:* {report.fired_total}"]
    lines += [
        mrkdwn(f"• {item.when} {item.source} {item.name}: {item.values}")
        for item in d.fired(report, ctx)
    ]
    more = d.unlisted(report.fired_total, len(report.fired))
    return [_text("\n".join([*lines, *([more] if more else [])]))]


def _failed(report: DigestReport) -> str:
    if not report.failed:
        return "*Failed deliveries:* none"
    lines = [f"*Failed deliveries:* {d.failed_total(report)}"]
    lines += [
        mrkdwn(f"• {item.route} → {item.receiver}: {item.count} ({item.error})")
        for item in d.failed(report)
    ]
    return "\n".join(lines)
