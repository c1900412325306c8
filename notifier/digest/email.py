"""A digest report as an email: a subject line, the plain text digest, and an HTML table."""

from __future__ import annotations

import hashlib

from notifier.digest import facts as d
from notifier.digest.build import DigestReport
from notifier.digest.render import render_text
from notifier.render.context import RenderContext
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
from notifier.render.escape import html_text, terminal


def render_digest_email(
    report: DigestReport, ctx: RenderContext, subject_prefix: str = ""
) -> RenderedEmail:
    """One message per digest and period: a retry of the same period keeps its Message-ID."""
    key = f"{report.name}\0{report.start.isoformat()}\0{report.end.isoformat()}"
    return RenderedEmail(
        subject=subject_line(f"{subject_prefix} {d.title(report, ctx)}"),
        text=render_text(report, ctx),
        html=render_digest_html(report, ctx),
        message_id=f"<digest-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{DOMAIN}>",
    )


def render_digest_html(report: DigestReport, ctx: RenderContext) -> str:
    head = f"<h2 style='{STYLE['h2']}'>{_h(d.title(report, ctx))}</h2>"
    if report.quiet:
        body = [head, paragraph("All quiet: no events and no failed deliveries.")]
    else:
        body = [head, _totals(report), *_codes(report, ctx), *_routes(report, ctx)]
        body += _failed(report)
    body.append(paragraph(anchor(*d.CONSOLE_LINK)))
    return html_page(body)


def _h(text: str) -> str:
    """Text already cut by the digest facts, escaped for HTML and shown without controls."""
    return html_text(terminal(text))


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


def _totals(report: DigestReport) -> str:
    return _table([120, None], None, [[_h(label), _h(text)] for label, text in d.totals(report)])


def _codes(report: DigestReport, ctx: RenderContext) -> list[str]:
    if not report.codes:
        return []
    rows = [_code(d.code_facts(line, ctx)) for line in report.codes]
    table = _table([70, 70, 110, None], ["Code", "Count", "Seen", "About"], rows)
    parts = [_h3("Error codes"), table]
    if report.more_codes:
        parts.append(paragraph(f"and {report.more_codes} more codes"))
    return parts


def _code(code: d.CodeFacts) -> list[str]:
    details = [_h(code.about)] if code.about else []
    if code.accounts:
        details.append(f"Accounts: {_h(code.accounts)}")
    if code.resources:
        details.append(f"Resources: {_h(code.resources)}")
    return [
        anchor(code.code, code.docs) + ("<br><b>NEW</b>" if code.new else ""),
        f"{code.count}<br>{_h(code.trend)}",
        f"{_h(code.first)} to<br>{_h(code.last)}",
        "<br>".join(details),
    ]


def _routes(report: DigestReport, ctx: RenderContext) -> list[str]:
    rows = [[_h(route), _h(outcomes)] for route, outcomes in d.routes(report)]
    return [
        _h3("Routes"),
        _table([200, None], ["Route", "Outcomes"], rows),
        paragraph(f"Suppressed: {_h(d.counts(report.suppressed))}"),
        *_fired(report, ctx),
    ]


def _fired(report: DigestReport, ctx: RenderContext) -> list[str]:
    if not report.fired_total:
        return []
    items = "".join(
        f"<li>{_h(f'{item.when} {item.source} {item.name}: {item.values}')}</li>"
        for item in d.fired(report, ctx)
    )
    more = d.unlisted(report.fired_total, len(report.fired))
    tail = paragraph(more) if more else ""
    heading = _h3(f"Usage triggers and alarms fired: {report.fired_total}")
    return [f"{heading}<ul>{items}</ul>{tail}"]


def _failed(report: DigestReport) -> list[str]:
    if not report.failed:
        return [paragraph("Failed deliveries: none")]
    rows = [
        [_h(item.route), _h(item.receiver), str(item.count), _h(item.error)]
        for item in d.failed(report)
    ]
    return [
        _h3("Failed deliveries"),
        _table([150, 90, 60, None], ["Route", "Receiver", "Count", "Error"], rows),
    ]
