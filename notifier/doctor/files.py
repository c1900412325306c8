"""What the bot reads at start-up besides its environment: the rules and the error catalog."""

from __future__ import annotations

from notifier.doctor.report import Finding, ok, problem, warning
from notifier.errors import UserError
from notifier.rules.load import RulesError, load_rules
from notifier.rules.model import Rules
from notifier.settings import Settings
from notifier.twilio.catalog import load_initial

# Located errors shown before "and N more": `notifier check` lists them all.
_SHOWN_ERRORS = 3


def rules(settings: Settings) -> tuple[list[Finding], Rules | None]:
    """The rules file's findings, and the rules when they are valid (the channels to check)."""
    path = settings.rules_file
    try:
        loaded = load_rules(path)
    except RulesError as error:
        shown = error.errors[:_SHOWN_ERRORS]
        more = len(error.errors) - len(shown)
        detail = "; ".join(shown) + (f"; and {more} more" if more else "")
        fix = f"run `notifier check {path}` and correct each line it names"
        return [problem("rules", detail, fix)], None
    counts = f"{len(loaded.routes)} routes, {len(loaded.receivers)} receivers"
    found = [ok("rules", f"{path}: valid ({counts})")]
    found += [warning("rules", text, f"see `notifier check {path}`") for text in loaded.warnings]
    return found, loaded


def catalog(settings: Settings) -> list[Finding]:
    name = "error catalog"
    source = settings.error_codes_file
    try:
        codes = load_initial(source)
    except UserError as error:
        fix = "point TWILIO_ERROR_CODES_FILE at a copy of Twilio's catalog, or unset it"
        return [problem(name, str(error), fix)]
    where = f"TWILIO_ERROR_CODES_FILE {source}" if source else "the copy bundled with the bot"
    if not codes:
        fix = "unset TWILIO_ERROR_CODES_FILE to use the bundled copy"
        return [problem(name, f"no error codes in {where}", fix)]
    refresh = ", refreshed from twilio.com at start-up" if settings.error_codes_refresh else ""
    return [ok(name, f"{len(codes):,} codes from {where}{refresh}")]
