from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from fakes.digests import at, make_report

from notifier.digest.block_kit import render_digest_slack
from notifier.digest.build import CodeLine, DigestReport, FailedDelivery
from notifier.digest.email import render_digest_email
from notifier.digest.facts import MAX_VALUE, code_facts
from notifier.digest.render import render_text, trend
from notifier.render.context import RenderContext

BERLIN = RenderContext(ZoneInfo("Europe/Berlin"), {"ACa": "production"})


@pytest.mark.parametrize(
    ("current", "previous", "shown"),
    [
        pytest.param(5, 2, "↑ 150%", id="more-is-up-with-percent"),
        pytest.param(2, 4, "↓ 50%", id="less-is-down-with-percent"),
        pytest.param(3, 3, "=", id="same-is-equal"),
        pytest.param(1, 0, "new", id="nothing-before-is-new"),
        pytest.param(0, 0, "=", id="nothing-both-times"),
    ],
)
def test_trend_against_the_previous_period(current: int, previous: int, shown: str) -> None:
    assert trend(current, previous) == shown


def test_an_empty_period_is_one_all_quiet_line() -> None:
    report = DigestReport("morning", at(10, 8), at(11, 8))
    assert render_text(report, BERLIN) == (
        "Digest morning: 2026-03-10 09:00 to 2026-03-11 09:00 CET: "
        "all quiet, no events and no failed deliveries.\n"
    )


def test_a_late_digest_says_so_in_its_title() -> None:
    report = DigestReport("morning", at(10, 8), at(11, 8), late=True)
    assert render_text(report, BERLIN).startswith(
        "Digest morning: 2026-03-10 09:00 to 2026-03-11 09:00 CET (late)"
    )


def test_codes_show_counts_trend_catalog_accounts_and_the_tail() -> None:
    code = CodeLine(
        "11200",
        5,
        2,
        at(10, 1),
        at(10, 5),
        True,
        "HTTP retrieval failure",
        "Programmable Voice",
        (("ACa", 3), ("ACb", 2)),
        (("CA1", 3),),
    )
    report = DigestReport(
        "morning",
        at(10, 0),
        at(11, 0),
        total=5,
        previous_total=2,
        by_level={"error": 5},
        by_source={"debugger": 5},
        codes=(code,),
        more_codes=4,
        new_codes=("11200",),
        failed=(FailedDelivery("r", "ops", 2, "channel_not_found"),),
    )
    text = render_text(report, BERLIN)
    assert "Events: 5 (↑ 150% vs 2 the period before)" in text
    assert "  11200 NEW: 5 (↑ 150%) Programmable Voice / HTTP retrieval failure" in text
    assert (
        "    first 03-10 02:00, last 03-10 06:00; docs https://www.twilio.com/docs/api/errors/11200"
        in text
    )
    assert "    accounts: production 3, ACb 2" in text
    assert "  and 4 more codes" in text
    assert "Failed deliveries: 2\n  r -> ops: 2 (channel_not_found)" in text


def test_every_medium_shows_the_same_digest_facts() -> None:
    code = CodeLine("11200", 5, 2, at(10, 1), at(10, 5), True, "HTTP retrieval failure",
                    top_accounts=(("ACa", 3),))  # fmt: skip
    report = make_report(codes=(code,), previous_total=0, by_level={}, by_source={})
    facts = code_facts(code, BERLIN)
    assert (facts.about, facts.accounts, facts.first) == (
        "HTTP retrieval failure",
        "production 3",
        "03-10 02:00",
    )
    slack = json.dumps(render_digest_slack(report, BERLIN), ensure_ascii=False)
    html = render_digest_email(report, BERLIN).html
    for shown in (render_text(report, BERLIN), slack, html):
        assert all(part in shown for part in (facts.about, facts.accounts, facts.trend))


def test_a_long_value_is_cut_once_with_the_same_marker_in_every_medium() -> None:
    code = CodeLine("11200", 5, 2, at(10, 1), at(10, 5), False, "m" * 1_000)
    report = make_report(codes=(code,), previous_total=0, by_level={}, by_source={})
    about = code_facts(code, BERLIN).about
    omitted = 1_000 - len(about.partition("…")[0])
    assert len(about) <= MAX_VALUE and about.endswith(f"…(truncated, {omitted} more characters)")
    slack = json.dumps(render_digest_slack(report, BERLIN), ensure_ascii=False)
    for shown in (render_text(report, BERLIN), slack, render_digest_email(report, BERLIN).html):
        assert about in shown
