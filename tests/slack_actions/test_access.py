"""Who may act from Slack: everyone by default, else the users and user groups named."""

import asyncio

import pytest

from notifier.slack_actions.access import CACHE_SECONDS, AllowList


class Members:
    """usergroups.users.list as a table; None: Slack would not say (missing scope...)."""

    def __init__(self, groups: dict[str, frozenset[str] | None]) -> None:
        self.groups = groups
        self.calls: list[str] = []

    async def __call__(self, group: str) -> frozenset[str] | None:
        self.calls.append(group)
        return self.groups.get(group)


@pytest.mark.parametrize(
    ("users", "groups", "user", "allowed"),
    [
        pytest.param((), (), "U999", True, id="no-list-anyone"),
        pytest.param(("U1",), (), "U1", True, id="listed-user"),
        pytest.param(("U1",), (), "U2", False, id="unlisted-user"),
        pytest.param((), ("S1",), "U2", True, id="group-member"),
        pytest.param((), ("S1",), "U3", False, id="not-a-member"),
        pytest.param((), ("S404",), "U2", False, id="group-slack-will-not-list"),
    ],
)
def test_allow_list(
    users: tuple[str, ...], groups: tuple[str, ...], user: str, allowed: bool
) -> None:
    allow = AllowList(users, groups, Members({"S1": frozenset({"U2"}), "S404": None}))

    assert asyncio.run(allow.allows(user)) is allowed


def test_group_members_are_asked_once_a_minute() -> None:
    clock = [0.0]
    members = Members({"S1": frozenset({"U2"})})
    allow = AllowList((), ("S1",), members, now=lambda: clock[0])

    async def clicks() -> list[bool]:
        first = [await allow.allows("U2"), await allow.allows("U3")]
        clock[0] = CACHE_SECONDS + 1
        return [*first, await allow.allows("U2")]

    assert asyncio.run(clicks()) == [True, False, True]
    assert members.calls == ["S1", "S1"]
