"""Rules as loaded from a rules.toml."""

from textwrap import dedent

from notifier.rules.load import parse_rules
from notifier.rules.model import Route, Rules

CONSOLE_RULES = "[receivers.local]\nconsole = {}\n"


def make_rules(*tables: str, env: dict[str, str] | None = None) -> Rules:
    """Rules parsed from the TOML `tables` (each dedented), one after the other, as rules.toml."""
    return parse_rules("\n".join(dedent(table) for table in tables), "rules.toml", env or {})


def make_route(*lines: str) -> Route:
    """The one route, "webhooks", of rules whose [[routes]] table holds `lines` (TOML)."""
    return make_rules(CONSOLE_RULES, '[[routes]]\nname = "webhooks"', *lines).routes[0]
