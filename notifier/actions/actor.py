"""Who acts, and the error an action answers a mistake with."""

from __future__ import annotations

from dataclasses import dataclass

from notifier.errors import UserError
from notifier.store.audit import Origin


class ActionError(UserError):
    """An action refused: no such group, silence or notification, or a bad value; the text is
    shown as is to the user (CLI, Slack, console)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Slack: `who` is "U123ABC (alice)"; the console: "console"; the CLI: $USER."""

    origin: Origin
    who: str

    def __post_init__(self) -> None:
        if not self.who.strip():
            raise ActionError(f"an action from {self.origin.value} needs to say who takes it")

    def describe(self) -> str:
        """How listings name the author: "from Slack by U123 (alice)"."""
        return f"from {_PLACES[self.origin]} by {self.who}"


_PLACES = {Origin.CLI: "the CLI", Origin.SLACK: "Slack", Origin.CONSOLE: "the console"}
