import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.rules.match import compile_value, matches, select_routes
from notifier.rules.model import Matcher, Route, Rules, Timing


def make_matcher(
    match: dict[str, list[str]] | None = None,
    match_re: dict[str, str] | None = None,
    exclude: dict[str, list[str]] | None = None,
) -> Matcher:
    return Matcher(
        equal={field: compile_value(field, values) for field, values in (match or {}).items()},
        regex={field: re.compile(pattern) for field, pattern in (match_re or {}).items()},
        exclude={field: compile_value(field, values) for field, values in (exclude or {}).items()},
    )


def make_route(name: str, continue_: bool = False, **match: list[str]) -> Route:
    return Route(name=name, matcher=make_matcher(match), timing=Timing(), continue_=continue_)


WEBHOOK_FAILURE = {
    "source": "debugger",
    "level": "error",
    "error_code": "11205",
    "url": "https://api.example.com/voice",
    "resource_type": "call",
    "http_status": 502,
    "account_sid": None,
}


@pytest.mark.parametrize(
    ("matcher", "expected"),
    [
        (make_matcher(), True),
        (make_matcher({"error_code": ["11205"]}), True),
        (make_matcher({"error_code": ["11200", "11205"]}), True),
        (make_matcher({"error_code": ["11200"]}), False),
        (make_matcher({"error_code": ["11200-11299"]}), True),
        (make_matcher({"error_code": ["11206-11299"]}), False),
        (make_matcher({"error_code": ["11205-11205"]}), True),
        (make_matcher({"level": ["ERROR"]}), True),
        (make_matcher({"source": ["Debugger"]}), True),
        (make_matcher({"resource_type": ["CALL"]}), False),
        (make_matcher({"http_status": ["502"]}), True),
        (make_matcher({"account_sid": ["None"]}), False),
        (make_matcher({"product": ["Voice"]}), False),
        (make_matcher(match_re={"url": r"api\.example\.com"}), True),
        (make_matcher(match_re={"url": r"^api"}), False),
        (make_matcher(match_re={"http_status": r"^5\d\d$"}), True),
        (make_matcher(match_re={"account_sid": ".*"}), False),
        (make_matcher({"level": ["error"]}, exclude={"resource_type": ["conference"]}), True),
        (make_matcher({"level": ["error"]}, exclude={"resource_type": ["call"]}), False),
        (make_matcher(exclude={"account_sid": ["AC1"]}), True),
    ],
    ids=[
        "empty-matcher-matches-everything",
        "equal-value",
        "any-of-list",
        "other-code",
        "code-inside-range",
        "code-below-range",
        "one-code-range-is-inclusive",
        "level-ignores-case",
        "source-ignores-case",
        "other-fields-keep-case",
        "int-field-compared-as-text",
        "missing-value-never-equals",
        "field-absent-from-event-never-equals",
        "regex-is-searched",
        "regex-anchor-respected",
        "regex-sees-int-as-text",
        "missing-value-never-matches-regex",
        "exclude-miss-keeps-match",
        "exclude-hit-wins",
        "exclude-on-missing-value-never-hits",
    ],
)
def test_matcher_decides_by_each_key(matcher: Matcher, expected: bool) -> None:
    assert matches(matcher, WEBHOOK_FAILURE) is expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11299-11200", r'range "11299-11200" runs backwards: 11299 is above 11200'),
        ("112xx", r'"112xx" is neither an error code nor a range like "11200-11299"'),
        ("11200-", r'"11200-" is neither an error code nor a range'),
    ],
    ids=["backwards-range", "not-digits", "open-range"],
)
def test_bad_error_code_values_are_refused(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compile_value("error_code", [value])


codes = st.integers(min_value=10000, max_value=99999)
words = st.text(alphabet="abcdefXYZ_-", min_size=1, max_size=8)


@given(st.lists(words, min_size=1, max_size=5), st.data())
def test_value_in_any_of_list_always_matches(values: list[str], data: st.DataObject) -> None:
    value = data.draw(st.sampled_from(values))
    assert matches(make_matcher({"message": values}), {"message": value})


@given(codes, codes, codes)
def test_code_matches_range_exactly_when_inside_it(a: int, b: int, code: int) -> None:
    low, high = sorted((a, b))
    matcher = make_matcher({"error_code": [f"{low}-{high}"]})
    assert matches(matcher, {"error_code": str(code)}) is (low <= code <= high)


@given(st.lists(words, min_size=1, max_size=3), words)
def test_exclude_always_wins_over_match(values: list[str], value: str) -> None:
    matcher = make_matcher({"message": [*values, value]}, exclude={"message": [value]})
    assert not matches(matcher, {"message": value})


route_sets = st.lists(
    st.tuples(st.sampled_from(["error", "warning"]), st.booleans()), min_size=0, max_size=6
)


@given(route_sets, st.sampled_from(["error", "warning", "info"]))
def test_without_continue_at_most_one_route_is_selected(
    specs: list[tuple[str, bool]], level: str
) -> None:
    routes = tuple(make_route(f"r{index}", level=[spec]) for index, (spec, _) in enumerate(specs))
    assert len(select_routes(Rules(routes=routes), {"level": level})) <= 1


@given(route_sets, st.sampled_from(["error", "warning", "info"]))
def test_selected_routes_keep_route_order_and_stop_at_first_without_continue(
    specs: list[tuple[str, bool]], level: str
) -> None:
    routes = tuple(
        make_route(f"r{index}", continue_=cont, level=[spec])
        for index, (spec, cont) in enumerate(specs)
    )
    selected = select_routes(Rules(routes=routes), {"level": level})
    expected = []
    for route in routes:
        if matches(route.matcher, {"level": level}):
            expected.append(route)
            if not route.continue_:
                break
    assert selected == expected


def test_continue_lets_later_routes_match_too() -> None:
    rules = Rules(
        routes=(
            make_route("webhooks", continue_=True, error_code=["11200-11299"]),
            make_route("errors", level=["error"]),
            make_route("everything-else"),
        )
    )
    names = [route.name for route in select_routes(rules, WEBHOOK_FAILURE)]
    assert names == ["webhooks", "errors"]


def test_no_routes_select_nothing() -> None:
    assert select_routes(Rules(), WEBHOOK_FAILURE) == []
