"""A plain-text block for stdout, also the text part of emails."""

from __future__ import annotations

from notifier.notices import Notice
from notifier.render import facts as f
from notifier.render.context import RenderContext
from notifier.render.escape import terminal, truncate

MAX_VALUE = 4000
_WIDTH = len("Usage category") + 2


def render_console(notice: Notice, ctx: RenderContext) -> str:
    """A readable multi-line block: title, facts, message, the failed request, links."""
    event = notice.event
    rows = [
        *f.facts(notice, ctx),
        ("Message", event.message),
        ("Request", f.request_line(event)),
        ("Response", f.response_text(event)),
        *f.links(event),
    ]
    lines = [f"== {terminal(truncate(f.title(event), MAX_VALUE))} =="]
    lines += [_line(label, value) for label, value in rows if value]
    return "\n".join(lines) + "\n"


def _line(label: str, value: str) -> str:
    indent = "\n" + " " * _WIDTH
    return f"{label + ':':<{_WIDTH}}" + indent.join(_clean(value).splitlines())


def _clean(text: str) -> str:
    return terminal(truncate(text.replace("\r\n", "\n"), MAX_VALUE), keep_newlines=True)
