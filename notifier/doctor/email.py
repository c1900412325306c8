"""Email: SMTP_URL and EMAIL_FROM usable, the server reachable, TLS as configured and the login
accepted, with no mail sent (that is `--send-test`'s)."""

from __future__ import annotations

from notifier.delivery.outcome import Failed, Refusal, Sent
from notifier.delivery.smtp import SmtpConfig, probe_smtp, security
from notifier.doctor.report import Finding, ok, problem, skipped
from notifier.rules.model import EmailConfig, Rules

NAME = "smtp"
_SET_SMTP = (
    "set SMTP_URL (smtp://user:password@host:587 for STARTTLS, smtps://user:password@host:465 "
    "for implicit TLS) and EMAIL_FROM"
)
# What to do about each way a probe fails; any other answer is the server's to explain.
_FIXES = {
    Refusal.NO_ANSWER: (
        "check SMTP_URL's host and port, and that this machine may connect out to it "
        "(platforms often block port 25: use 587 or 465)"
    ),
    Refusal.TLS_FAILED: (
        "name the host its certificate is for in SMTP_URL, and use the scheme and port the "
        "provider documents for TLS: smtps:// with 465, smtp:// with 587 (STARTTLS)"
    ),
    Refusal.NOT_SUPPORTED: (
        "the server does not offer what SMTP_URL asks for (STARTTLS, or AUTH before TLS): "
        "use the provider's submission port, 587 or 465"
    ),
}
_LOGIN_FIX = (
    "check the user name and password in SMTP_URL (many providers want an app password or an "
    "API key, percent-encoded in the URL)"
)


def uses_email(rules: Rules) -> bool:
    return any(
        isinstance(config, EmailConfig)
        for receiver in rules.receivers.values()
        for config in receiver.channels
    )


async def smtp(rules: Rules, config: SmtpConfig | Failed) -> list[Finding]:
    if not uses_email(rules):
        return [skipped(NAME, "no receiver sends email")]
    if isinstance(config, Failed):
        return [problem(NAME, config.reason, _SET_SMTP)]
    return [await _probe(config)]


async def _probe(config: SmtpConfig) -> Finding:
    where = f"{config.host}:{config.port} ({security(config)})"
    outcome = await probe_smtp(config)
    if isinstance(outcome, Sent):
        login = "login accepted" if config.username else "no login (SMTP_URL names no user)"
        return ok(NAME, f"{where}: reachable, TLS as configured, {login}")
    if outcome.code == "535":  # RFC 4954: authentication credentials invalid
        return problem(NAME, f"{where}: {outcome.reason}", _LOGIN_FIX)
    fix = _FIXES.get(outcome.refusal) if outcome.refusal else None
    return problem(NAME, f"{where}: {outcome.reason}", fix or "see the server's answer above")
