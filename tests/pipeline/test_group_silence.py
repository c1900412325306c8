"""A silence made from a group (its route and label values) holds exactly that group's events."""

import json
from datetime import timedelta

from fakes.events import NOW, make_event
from fakes.rules import make_route
from hypothesis import given, settings
from hypothesis import strategies as st

from notifier.events import FIELD_NAMES, Event
from notifier.pipeline.groups import group_key
from notifier.pipeline.suppress import covers
from notifier.store.silences import Silence

TEXT_FIELDS = tuple(name for name in FIELD_NAMES if name not in ("source", "time", "http_status"))
values = st.fixed_dictionaries({name: st.none() | st.text(max_size=8) for name in TEXT_FIELDS})
group_bys = st.lists(st.sampled_from(TEXT_FIELDS), unique=True, max_size=4)


def group_silence(event: Event, group_by: list[str]) -> tuple[Silence, str]:
    """The silence `notifier.actions.silence_group` stores for the event's group."""
    route = make_route(f"group_by = {json.dumps(group_by)}")
    labels = group_key(route, event)[1]
    return Silence(1, labels, NOW, NOW + timedelta(hours=1), "", route=route.name), route.name


@settings(max_examples=150, deadline=None)
@given(values, group_bys)
def test_group_silence_covers_the_groups_events_on_its_route_only(
    fields: dict[str, str | None], group_by: list[str]
) -> None:
    event = make_event(**fields)
    silence, route = group_silence(event, group_by)

    assert covers(silence, route, event.fields(), NOW)
    assert not covers(silence, route + "-other", event.fields(), NOW)


@settings(max_examples=150, deadline=None)
@given(values, group_bys.filter(bool), st.text(min_size=1, max_size=8))
def test_group_silence_does_not_cover_an_event_of_another_group(
    fields: dict[str, str | None], group_by: list[str], suffix: str
) -> None:
    event = make_event(**fields)
    silence, route = group_silence(event, group_by)
    changed = group_by[0]
    other = event._replace(**{changed: (getattr(event, changed) or "") + suffix})

    assert not covers(silence, route, other.fields(), NOW)
