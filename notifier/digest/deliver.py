"""Sending a digest to its receivers: console prints it; other channels are not wired yet."""

from __future__ import annotations

from typing import TextIO

from notifier.channels.console import print_notice
from notifier.digest.build import DigestReport
from notifier.digest.render import render_text
from notifier.receivers import render_context
from notifier.rules.model import Digest, Rules


def deliver_digest(
    report: DigestReport, digest: Digest, rules: Rules, out: TextIO | None = None
) -> None:
    """Print the digest for console receivers; say so for kinds that cannot take one yet."""
    text = render_text(report, render_context(rules))
    for name in digest.receivers:
        receiver = rules.receivers.get(name)
        if receiver is None:
            print_notice(f'digest {digest.name}: unknown receiver "{name}", not sent', out)
        elif receiver.kind == "console":
            print_notice(text, out)
        else:
            print_notice(
                f"digest {digest.name}: delivery of digests to {receiver.kind} receivers "
                f'("{name}") is not available yet',
                out,
            )
