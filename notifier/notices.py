"""What the pipeline hands to delivery: one notice for one group, with the reason it was sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from notifier.events import Event


class Reason(StrEnum):
    """Why a notice was sent; shown to the user and stored with the notification."""

    FIRST = "first"
    NEW_IN_GROUP = "new_in_group"
    REPEAT = "repeat"
    THRESHOLD = "threshold"
    RESOLVED = "resolved"
    DIGEST = "digest"
    REPLAY = "replay"


@dataclass(frozen=True, slots=True)
class Notice:
    """One alert about one group: the latest event plus the group's counters."""

    route: str
    group_key: str
    reason: Reason
    event: Event
    count: int
    first_seen: datetime
    last_seen: datetime
    receivers: tuple[str, ...]
    # Events since the previous notice of this group ("N more since HH:MM").
    new_count: int = 0
    since: datetime | None = None
    threshold: tuple[int, timedelta] | None = None
    labels: dict[str, str] = field(default_factory=dict)
