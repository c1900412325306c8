"""What the pipeline hands to delivery: one notice for one group, with the reason it was sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from notifier.events import Event, parse_time


class Reason(StrEnum):
    """Why a notice was sent; shown to the user and stored with the notification."""

    FIRST = "first"
    NEW_IN_GROUP = "new_in_group"
    REPEAT = "repeat"
    THRESHOLD = "threshold"
    RESOLVED = "resolved"
    DIGEST = "digest"
    REPLAY = "replay"
    # The first event counted into a group since its notice, the next notice not due yet: only
    # channels that show every event (the console) get it, so `make run` answers a repeated
    # sample at once.
    JOINED = "joined"


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
    # Someone acknowledged the group's cycle (from Slack, the CLI...): its message says so.
    acknowledged: bool = False


def notice_to_json(notice: Notice) -> dict[str, object]:
    return {
        "route": notice.route,
        "group_key": notice.group_key,
        "reason": notice.reason.value,
        "event": notice.event.to_json(),
        "count": notice.count,
        "first_seen": notice.first_seen.isoformat(),
        "last_seen": notice.last_seen.isoformat(),
        "receivers": list(notice.receivers),
        "new_count": notice.new_count,
        "since": notice.since.isoformat() if notice.since else None,
        "threshold": (
            [notice.threshold[0], notice.threshold[1].total_seconds()] if notice.threshold else None
        ),
        "labels": notice.labels,
        "acknowledged": notice.acknowledged,
    }


def notice_from_json(data: dict[str, Any]) -> Notice:
    threshold = data.get("threshold")
    return Notice(
        route=data["route"],
        group_key=data["group_key"],
        reason=Reason(data["reason"]),
        event=Event.from_json(data["event"]),
        count=int(data["count"]),
        first_seen=parse_time(data["first_seen"]),
        last_seen=parse_time(data["last_seen"]),
        receivers=tuple(data["receivers"]),
        new_count=int(data.get("new_count", 0)),
        since=parse_time(data["since"]) if data.get("since") else None,
        threshold=(int(threshold[0]), timedelta(seconds=threshold[1])) if threshold else None,
        labels=dict(data.get("labels") or {}),
        acknowledged=bool(data.get("acknowledged", False)),
    )
