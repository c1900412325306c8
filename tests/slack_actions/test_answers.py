"""What `/twilio-alerts status` and `silences` say."""

from datetime import UTC, datetime, timedelta

from fakes.events import make_event
from fakes.rules import make_route

from notifier.actions import Origin
from notifier.pipeline.groups import Phase, on_event
from notifier.render.context import RenderContext
from notifier.slack_actions.answers import SHOWN, silences_text, status_text
from notifier.store.silences import Silence

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ROUTE = make_route('group_by = ["error_code"]', 'group_wait = "0s"')


def group(code: str, minutes_ago: int, events: int = 1):  # type: ignore[no-untyped-def]
    at = NOW - timedelta(minutes=minutes_ago)
    state = None
    for _ in range(events):
        state = on_event(state, ROUTE, make_event(at, error_code=code), at).state
    return state


def test_status_lists_open_groups_newest_first_with_their_counts() -> None:
    states = [group("11200", 30, events=3), group("30007", 5)]

    text = status_text(states, RenderContext())

    assert text.splitlines()[0] == "*2 open alert groups*, newest first:"
    assert text.index("30007") < text.index("11200")
    assert "3 events, last 2024-05-01 11:30 UTC (open)" in text


def test_status_leaves_quiet_groups_out_and_says_when_all_is_quiet() -> None:
    quiet = group("11200", 30)._replace(phase=Phase.QUIET)

    assert status_text([quiet], RenderContext()) == "No open alert groups: all quiet."


def test_status_shows_a_bounded_number_of_groups() -> None:
    states = [group(str(10000 + n), n) for n in range(SHOWN + 5)]

    assert status_text(states, RenderContext()).endswith("…and 5 more")


def test_silences_lists_those_in_force_soonest_end_first_escaping_user_text() -> None:
    def silence(n: int, ends_in: int, comment: str = "") -> Silence:
        ends = NOW + timedelta(minutes=ends_in)
        return Silence(n, {"error_code": str(n)}, NOW - timedelta(hours=1), ends, comment)

    text = silences_text(
        [silence(1, 90, "<!channel> outage"), silence(2, 30), silence(3, -5)], NOW, RenderContext()
    )

    assert text.splitlines() == [
        "*2 silences in force:*",
        "• #2 until 2024-05-01 12:30 UTC, `error_code=2`",
        "• #1 until 2024-05-01 13:30 UTC, `error_code=1`: &lt;!channel&gt; outage",
    ]


def test_silences_say_which_route_and_who_made_them_from_where() -> None:
    made = Silence(
        4, {"error_code": "11200"}, NOW, NOW + timedelta(hours=1), "outage", "webhooks",
        "U123ABC (alice)", Origin.SLACK,
    )  # fmt: skip

    text = silences_text([made], NOW, RenderContext())

    assert text.splitlines()[1] == (
        "• #4 until 2024-05-01 13:00 UTC on route webhooks, `error_code=11200` "
        "(from Slack by U123ABC (alice)): outage"
    )
