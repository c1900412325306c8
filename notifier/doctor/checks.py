"""The doctor's checks, in the order a deployment depends on them: what Twilio's requests need,
the store, the files read at start-up, then each receiver channel."""

from __future__ import annotations

from sqlalchemy import create_engine

from notifier.delivery.channel import Checked
from notifier.delivery.directory import build_channel
from notifier.delivery.explain import explain
from notifier.delivery.outcome import Sent
from notifier.delivery.transports import Transports
from notifier.doctor import email, files, slack, store, twilio
from notifier.doctor.report import Finding, ok, problem, skipped
from notifier.rules.model import ConsoleConfig, EmailConfig, Rules
from notifier.settings import Settings

# Settings in, findings out: nothing here reaches beyond this machine but the store.
LOCAL_CHECKS = (twilio.auth_tokens, twilio.public_url, store.store, files.catalog)
_RECEIVERS = ("slack token", "slack channels", "slack webhooks", "smtp")


async def diagnose(settings: Settings, send_test: bool = False) -> list[Finding]:
    findings = [finding for check in LOCAL_CHECKS for finding in check(settings)]
    rules_findings, rules = files.rules(settings)
    findings += rules_findings
    if rules is None:
        return findings + [skipped(name, "the rules are not valid") for name in _RECEIVERS]
    engine = create_engine("sqlite://")  # a check never paces nor keeps message refs
    transports = Transports.start(settings, engine)
    try:
        findings += await slack.web_api(rules, transports)
        findings += slack.webhooks(rules)
        findings += await email.smtp(rules, transports.smtp)
        if send_test:
            findings += await _send_tests(rules, transports)
    finally:
        await transports.aclose()
        engine.dispose()
    return findings


async def _send_tests(rules: Rules, transports: Transports) -> list[Finding]:
    """One test message per receiver channel, through the channel's own `check()`."""
    found = []
    for receiver in rules.receivers.values():
        for config in receiver.channels:
            if isinstance(config, ConsoleConfig):
                continue  # prints on this machine: nothing to prove
            channel = build_channel(config, receiver.name, transports)
            checked = await channel.check()
            name = f"send test {receiver.name} ({config.key})"
            found.append(_sent(name, checked, isinstance(config, EmailConfig)))
    return found or [skipped("send test", "no receiver sends to Slack or email")]


def _sent(name: str, checked: Checked, by_email: bool) -> Finding:
    if isinstance(checked.outcome, Sent):
        what = "sent a test email via" if by_email else "posted a test message to"
        return ok(name, f"{what} {checked.where or 'the webhook'}")
    words = checked.outcome.reason if by_email else explain(checked)
    return problem(name, words, "fix what the checks above name, then send the test again")
