"""A digest report as an email: a subject line, the plain text digest, and an HTML table."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from notifier.digest.build import CodeLine, DigestReport
from notifier.digest.render import CONSOLE_URL, render_text, title, trend
from notifier.render.context import RenderContext, local_time
from notifier.render.email import (
    DOMAIN,
    STYLE,
    WRAP,
    RenderedEmail,
    anchor,
    html_page,
    paragraph,
    subject_line,
)
from notifier.render.escape import html_text, terminal, truncate
from notifier.twilio.sids import error_docs_link

MAX_VALUE = 500  # one name or value from Twilio or a user, within a cell


def render_digest_email(
    report: DigestReport, ctx: RenderContext, subject_prefix: str = ""
) -> RenderedEmail:
    """One message per digest and period: a retry of the same period keeps its Message-ID."""
    key = f"{report.name}\0{report.start.isoformat()}\0{report.end.isoformat()}"
    return RenderedEmail(
        subject=subject_line(f"{subject_prefix} {title(report, ctx)}"),
        text=render_text(report, ctx),
        html=render_digest_html(report, ctx),
        message_id=f"<digest-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{DOMAIN}>",
    )


def render_digest_html(report: DigestReport, ctx: RenderContext) -> str:
    head = f"<h2 style='{STYLE['h2']}'>{_h(title(report, ctx))}</h2>"
    if report.quiet:
        body = [head, paragraph("All quiet: no events and no failed deliveries.")]
    else:
        body = [head, _totals(report), *_codes(report, ctx), *_routes(report), *_failed(report)]
    body.append(paragraph(anchor("Twilio Console: debugger", CONSOLE_URL)))
    return html_page(body)


def _h(text: str) -> str:
    return html_text(terminal(truncate(text, MAX_VALUE)))


def _h3(text: str) -> str:
    return f"<h3 style='{STYLE['h3']}'>{text}</h3>"


_CELL = f"padding:4px 6px;border-bottom:1px solid #dfe1e6;text-align:left;vertical-align:top;{WRAP}"
_HEAD = f"{_CELL}color:#44546f;background:#f4f5f7;"
_TABLE = "width:100%;border-collapse:collapse;table-layout:fixed;font-size:13px;line-height:18px;"


def _table(widths: list[int | None], headings: list[str] | None, rows: list[list[str]]) -> str:
    """`rows` hold HTML already escaped; `headings` are ours. Fixed layout keeps the table to
    the card's width: `widths` in pixels, None for a share of what is left."""
    head = _row(widths, headings, "th", _HEAD) if headings else ""
    body = "".join(_row(widths, row, "td", _CELL) for row in rows)
    return f"<table role='presentation' style='{_TABLE}'>{head}{body}</table>"


def _row(widths: list[int | None], cells: list[str], tag: str, style: str) -> str:
    return (
        "<tr>"
        + "".join(
            f"<{tag}{f' width={width}' if width else ''} style='{style}'>{cell}</{tag}>"
            for width, cell in zip(widths, cells, strict=True)
        )
        + "</tr>"
    )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{_h(name)} {count}" for name, count in counts.items() if count) or "none"


def _totals(report: DigestReport) -> str:
    rows = [
        ["Events", f"{report.total} ({_h(trend(report.total, report.previous_total))} vs "
         f"{report.previous_total} the period before)"],
        ["By level", _counts(report.by_level)],
        ["By source", _counts(report.by_source)],
        ["New codes", ", ".join(_h(code) for code in report.new_codes) or "none"],
    ]  # fmt: skip
    return _table([120, None], None, rows)


def _codes(report: DigestReport, ctx: RenderContext) -> list[str]:
    if not report.codes:
        return []
    rows = [_code(line, ctx) for line in report.codes]
    table = _table([70, 70, 110, None], ["Code", "Count", "Seen", "About"], rows)
    parts = [_h3("Error codes"), table]
    if report.more_codes:
        parts.append(paragraph(f"and {report.more_codes} more codes"))
    return parts


def _code(line: CodeLine, ctx: RenderContext) -> list[str]:
    about = " / ".join(part for part in (line.product, line.message) if part)
    accounts = [(ctx.accounts.get(sid, sid), n) for sid, n in line.top_accounts]
    details = [_h(about)] if about else []
    if accounts:
        details.append(f"Accounts: {_pairs(accounts)}")
    if line.top_resources:
        details.append(f"Resources: {_pairs(line.top_resources)}")
    return [
        anchor(line.code, error_docs_link(line.code)) + ("<br><b>NEW</b>" if line.new else ""),
        f"{line.count}<br>{_h(trend(line.count, line.previous))}",
        f"{_h(local_time(line.first_seen, ctx, '%m-%d %H:%M'))} to<br>"
        f"{_h(local_time(line.last_seen, ctx, '%m-%d %H:%M'))}",
        "<br>".join(details),
    ]


def _pairs(pairs: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{_h(value)} {count}" for value, count in pairs)


def _routes(report: DigestReport) -> list[str]:
    rows = [[_h(route), _counts(outcomes)] for route, outcomes in report.routes.items()]
    rows.append(["no route", str(report.unmatched)])
    return [
        _h3("Routes"),
        _table([200, None], ["Route", "Outcomes"], rows),
        paragraph(f"Suppressed: {_counts(report.suppressed)}"),
        *_fired(report),
    ]


def _fired(report: DigestReport) -> list[str]:
    if not report.fired_total:
        return []
    more = report.fired_total - len(report.fired)
    items = [
        f"{_h(item.source)} {_h(item.name or '-')}: {_h(item.current_value or '?')} "
        f"(trigger {_h(item.trigger_value or '?')})"
        for item in report.fired
    ]
    lines = "".join(f"<li>{item}</li>" for item in items)
    tail = paragraph(f"and {more} more") if more else ""
    return [
        f"{_h3(f'Usage triggers and alarms fired: {report.fired_total}')}<ul>{lines}</ul>{tail}"
    ]


def _failed(report: DigestReport) -> list[str]:
    if not report.failed:
        return [paragraph("Failed deliveries: none")]
    rows = [
        [_h(item.route), _h(item.receiver), str(item.count), _h(item.last_error or "-")]
        for item in report.failed
    ]
    return [
        _h3("Failed deliveries"),
        _table([150, 90, 60, None], ["Route", "Receiver", "Count", "Error"], rows),
    ]
