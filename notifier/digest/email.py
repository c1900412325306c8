"""A digest report as an email: a subject line, the plain text digest, and an HTML table."""

from __future__ import annotations

import hashlib

from notifier.digest.build import CodeLine, DigestReport
from notifier.digest.render import CONSOLE_URL, render_text, title, trend
from notifier.render.context import RenderContext, local_time
from notifier.render.email import DOMAIN, MAX_SUBJECT, RenderedEmail
from notifier.render.escape import header, html_text, safe_url, truncate
from notifier.twilio.sids import error_docs_link

MAX_VALUE = 500  # one name or value from Twilio or a user, within a cell


def render_digest_email(
    report: DigestReport, ctx: RenderContext, subject_prefix: str = ""
) -> RenderedEmail:
    """One message per digest and period: a retry of the same period keeps its Message-ID."""
    subject = f"{subject_prefix} {title(report, ctx)}"
    key = f"{report.name}\0{report.start.isoformat()}\0{report.end.isoformat()}"
    return RenderedEmail(
        subject=truncate(header(subject), MAX_SUBJECT),
        text=render_text(report, ctx),
        html=render_digest_html(report, ctx),
        message_id=f"<digest-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{DOMAIN}>",
    )


def render_digest_html(report: DigestReport, ctx: RenderContext) -> str:
    head = f"<h2>{_h(title(report, ctx))}</h2>"
    if report.quiet:
        body = [head, "<p>All quiet: no events and no failed deliveries.</p>"]
    else:
        body = [head, _totals(report), *_codes(report, ctx), *_routes(report), *_failed(report)]
    body.append(f"<p>{_anchor('Twilio Console: debugger', CONSOLE_URL)}</p>")
    return "<html><body>\n" + "\n".join(body) + "\n</body></html>\n"


def _h(text: str) -> str:
    return html_text(truncate(text, MAX_VALUE))


def _anchor(label: str, url: str) -> str:
    return f"<a href='{html_text(safe_url(url))}'>{_h(label)}</a>"


def _table(headings: list[str], rows: list[list[str]]) -> str:
    """`rows` hold HTML already escaped; `headings` are ours."""
    head = "".join(f"<th align='left'>{heading}</th>" for heading in headings)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table border='1' cellpadding='4' cellspacing='0'><tr>{head}</tr>{body}</table>"


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
    return _table(["", ""], rows)


def _codes(report: DigestReport, ctx: RenderContext) -> list[str]:
    if not report.codes:
        return []
    headings = ["Code", "Count", "Trend", "About", "First", "Last", "Accounts", "Resources"]
    parts = ["<h3>Error codes</h3>", _table(headings, [_code(line, ctx) for line in report.codes])]
    if report.more_codes:
        parts.append(f"<p>and {report.more_codes} more codes</p>")
    return parts


def _code(line: CodeLine, ctx: RenderContext) -> list[str]:
    about = " / ".join(part for part in (line.product, line.message) if part)
    accounts = [(ctx.accounts.get(sid, sid), n) for sid, n in line.top_accounts]
    return [
        _anchor(line.code, error_docs_link(line.code)) + (" <b>NEW</b>" if line.new else ""),
        str(line.count),
        _h(trend(line.count, line.previous)),
        _h(about),
        _h(local_time(line.first_seen, ctx, "%m-%d %H:%M")),
        _h(local_time(line.last_seen, ctx, "%m-%d %H:%M")),
        "<br>".join(f"{_h(name)} {n}" for name, n in accounts),
        "<br>".join(f"{_h(value)} {n}" for value, n in line.top_resources),
    ]


def _routes(report: DigestReport) -> list[str]:
    rows = [[_h(route), _counts(outcomes)] for route, outcomes in report.routes.items()]
    rows.append(["no route", str(report.unmatched)])
    return [
        "<h3>Routes</h3>",
        _table(["Route", "Outcomes"], rows),
        f"<p>Suppressed: {_counts(report.suppressed)}</p>",
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
    tail = f"<p>and {more} more</p>" if more else ""
    return [f"<h3>Usage triggers and alarms fired: {report.fired_total}</h3><ul>{lines}</ul>{tail}"]


def _failed(report: DigestReport) -> list[str]:
    if not report.failed:
        return ["<p>Failed deliveries: none</p>"]
    rows = [
        [_h(item.route), _h(item.receiver), str(item.count), _h(item.last_error or "-")]
        for item in report.failed
    ]
    return ["<h3>Failed deliveries</h3>", _table(["Route", "Receiver", "Count", "Error"], rows)]
