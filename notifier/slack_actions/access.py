"""Who may act from Slack: everyone who sees the alert, unless SLACK_ALLOWED_USERS or
SLACK_ALLOWED_GROUPS name who may (a group's members from `usergroups.users.list`, cached)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# Membership changes rarely and a click should not wait on Slack each time; a user removed
# from a group loses the right within this long.
CACHE_SECONDS = 60.0
# `usergroups.users.list` (needs usergroups:read): a group's members, or None when Slack will
# not say (then the group grants no one: refuse rather than guess).
Members = Callable[[str], Awaitable[frozenset[str] | None]]


class AllowList:
    def __init__(
        self,
        users: tuple[str, ...],
        groups: tuple[str, ...],
        members: Members,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users = frozenset(users)
        self.groups = groups
        self._members = members
        self._now = now
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}

    @property
    def open(self) -> bool:
        """No list is set: anyone in the workspace who sees the message may act."""
        return not self.users and not self.groups

    async def allows(self, user_id: str) -> bool:
        if self.open or user_id in self.users:
            return True
        for group in self.groups:
            if user_id in await self._group(group):
                return True
        return False

    async def _group(self, group: str) -> frozenset[str]:
        cached = self._cache.get(group)
        if cached is not None and cached[0] > self._now():
            return cached[1]
        members = await self._members(group)
        if members is None:
            log.warning("cannot list the members of Slack user group %s: refusing them", group)
            return frozenset()
        self._cache[group] = (self._now() + CACHE_SECONDS, members)
        return members
