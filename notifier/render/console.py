"""A plain-text block for stdout, also the text part of emails."""

from __future__ import annotations

from notifier.notices import Notice
from notifier.render import facts as f
from notifier.render.context import RenderContext
from notifier.render.escape import terminal, truncate

MAX_VALUE = 4000
_WIDTH = len("Usage category") + 2


def render_console(notice: Notice, ctx: RenderContext) -> str:
    """A readable multi-line block: title, facts, message, the failed request, what to try,
    links; a notice that continues its group's conversation is its title and one line."""
    event = notice.event
    head = f"== {terminal(truncate(f.title(event), MAX_VALUE))} =="
    follow_up = f.follow_up(notice, ctx)
    if follow_up is not None:
        return f"{head}\n{_clean(follow_up)}\n"
    rows = [
        *f.facts(notice, ctx),
        *((detail.label, detail.text) for detail in f.details(event)),
        *advice_rows(f.advice(event, ctx)),
        *f.links(event),
    ]
    return "\n".join([head, *(_line(label, value) for label, value in rows if value)]) + "\n"


def advice_rows(advice: f.Advice | None) -> list[f.Fact]:
    if advice is None:
        return []
    return [
        ("Likely causes", "\n".join(f"- {item}" for item in advice.causes)),
        ("What to try", "\n".join(f"- {item}" for item in advice.solutions)),
    ]


def _line(label: str, value: str) -> str:
    indent = "\n" + " " * _WIDTH
    return f"{label + ':':<{_WIDTH}}" + indent.join(_clean(value).splitlines())


def _clean(text: str) -> str:
    return terminal(truncate(text.replace("\r\n", "\n"), MAX_VALUE), keep_newlines=True)
