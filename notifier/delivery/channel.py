"""The one interface every channel kind implements (Slack Web API, Slack webhook, email,
console): render (pure), send a delivery through its pace lane, fold a storm, check itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from notifier.delivery.outcome import Paced, SendResult
from notifier.digest.build import DigestReport
from notifier.notices import Notice
from notifier.render.context import RenderContext
from notifier.store.outbox import Delivery

Message = TypeVar("Message")


@dataclass(frozen=True)
class Checked:
    """What a self-check did (`slack test`, `email test`, doctor): its outcome, where it
    went, and who sent it (the bot's user name through the Web API; None for a webhook)."""

    outcome: SendResult
    where: str
    who: str | None = None


class Channel(Protocol[Message]):
    """Built once per rules load from one channel of a receiver, and used by the outbox
    deliverer, digests and the CLI alike."""

    @property
    def key(self) -> str:
        """Names the channel within its receiver; stored with each of its notifications."""

    @property
    def lane(self) -> str | None:
        """The pace lane its sends share (a Slack channel or webhook); None: never paced."""

    def render(self, notice: Notice, ctx: RenderContext) -> Message:
        """The message for one notice: pure, done before pacing and sending."""

    def render_digest(self, report: DigestReport, ctx: RenderContext) -> dict[str, Any]:
        """The digest's message as JSON, stored in the outbox when its period is claimed."""

    def digest_message(self, payload: dict[str, Any]) -> Message:
        """The message `render_digest` stored."""

    def show(self, message: Message, *, html: bool) -> str:
        """The message as `notifier render` prints it (`html`: an email's HTML part too)."""

    async def send(self, delivery: Delivery, message: Message) -> Paced:
        """Sends one rendered delivery (a notice or a digest) on its lane's turn."""

    async def fold(self, deliveries: list[Delivery]) -> Paced:
        """One storm summary standing in for these notices (only called on a paced lane)."""

    async def check(self) -> Checked:
        """Sends one test message and says what happened."""
