"""What each console page shows, on both backends."""

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from fakes.console import console_client, login, process, store
from fakes.events import TEST

from notifier.events import utcnow

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_overview_shows_open_groups_last_day_counts_and_failing_deliveries(
    tmp_path: Path, database_url: str
) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        store(runtime, {"error_code": "11200"}, {"error_code": "11200"}, {"level": "warning"})
        process(runtime)
        with runtime.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE notifications SET status = 'failed', last_error = 'channel_not_found'"
            )
        login(client)
        page = client.get("/console/")

    assert page.status_code == 200
    assert "Open alert groups" in page.text
    assert "webhooks" in page.text
    assert "/console/group?key=" in page.text
    assert ">first<" in page.text  # the last notice's reason
    assert "channel_not_found" in page.text
    assert "Replay" in page.text
    counts = page.text.split("Events in the last 24 hours")[1].split("Failing deliveries")[0]
    assert re.findall(r'class="tag (\w+)">\w+</span></td><td class="num">(\d+)<', counts) == [
        ("error", "2"),
        ("warning", "1"),
    ]


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("error_code=11205", ["msg-11205"], ["msg-11200", "msg-warning"]),
        ("level=warning", ["msg-warning"], ["msg-11200", "msg-11205"]),
        ("source=alarm", [], ["msg-11200"]),
        ("text=11205", ["msg-11205"], ["msg-11200"]),
        (f"account_sid={TEST}", ["msg-test"], ["msg-11200"]),
        ("outcome=dropped", ["msg-test"], ["msg-11200", "msg-11205"]),
        ("outcome=alerted", ["msg-11200", "msg-11205"], ["msg-test"]),
    ],
    ids=["by-code", "by-level", "by-source", "by-text", "by-account", "dropped", "alerted"],
)
def test_events_filter_narrows_the_list(
    tmp_path: Path, database_url: str, query: str, shown: list[str], hidden: list[str]
) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        store(
            runtime,
            {"error_code": "11200", "message": "msg-11200"},
            {"error_code": "11205", "message": "msg-11205"},
            {"error_code": "30003", "level": "warning", "message": "msg-warning"},
            {"error_code": "11200", "account_sid": TEST, "message": "msg-test"},
        )
        process(runtime)
        login(client)
        page = client.get(f"/console/events?{query}")

    assert page.status_code == 200
    assert [text for text in shown if text not in page.text] == []
    assert [text for text in hidden if text in page.text] == []


def test_events_filter_by_time_range(tmp_path: Path, database_url: str) -> None:
    now = utcnow().replace(microsecond=0)
    with console_client(tmp_path, database_url) as (client, runtime):
        store(runtime, {"message": "last-night"}, at=now - timedelta(hours=10))
        store(runtime, {"message": "this-morning"}, at=now - timedelta(hours=2))
        login(client)
        since = (now - timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M")
        until = (now - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
        page = client.get(f"/console/events?since={since}&until={until}")

    assert "last-night" in page.text
    assert "this-morning" not in page.text


def test_events_page_through_every_event_once_newest_first(
    tmp_path: Path, database_url: str
) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        ids = store(runtime, *({"message": f"event-{n}"} for n in range(120)))
        login(client)
        seen: list[int] = []
        url = "/console/events"
        for _ in range(5):  # 120 events, 50 a page: three pages
            page = client.get(url)
            seen += [int(n) for n in _ids(page.text)]
            if 'rel="next"' not in page.text:
                break
            link = page.text.split('rel="next"')[0].rsplit('href="', 1)[1]
            url = link.split('"')[0].replace("&amp;", "&")

    assert seen == sorted(ids, reverse=True)


def _ids(html: str) -> list[str]:
    return re.findall(r'<td><a href="/console/events/(\d+)">', html)


def test_a_bad_filter_is_named_not_a_traceback(tmp_path: Path, database_url: str) -> None:
    with console_client(tmp_path, database_url) as (client, _):
        login(client)
        page = client.get("/console/events?since=yesterday")

    assert page.status_code == 400
    assert "since: not a time like 2026-12-01T22:00: &#39;yesterday&#39;" in page.text


def test_one_event_shows_fields_raw_request_decisions_and_links(
    tmp_path: Path, database_url: str
) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded", "user-agent": "TwilioProxy"}
    with console_client(tmp_path, database_url) as (client, runtime):
        [event_id] = store(
            runtime, {"raw_body": "Sid=NO1&Level=ERROR&PayloadXYZ=1", "headers": headers}
        )
        process(runtime)
        login(client)
        page = client.get(f"/console/events/{event_id}")

    assert page.status_code == 200
    assert "ERROR 11200 HTTP retrieval failure" in page.text
    assert "Sid=NO1&amp;Level=ERROR&amp;PayloadXYZ=1" in page.text
    assert "user-agent: TwilioProxy" in page.text
    assert ">alerted<" in page.text
    assert "https://www.twilio.com/docs/api/errors/11200" in page.text
    assert "console.twilio.com" in page.text
    assert ">first<" in page.text  # the notification it caused


def test_an_unknown_event_is_404(tmp_path: Path, database_url: str) -> None:
    with console_client(tmp_path, database_url) as (client, _):
        login(client)
        page = client.get("/console/events/424242")
        huge = client.get(f"/console/events/{2**64}")

    assert page.status_code == 404
    assert "No stored event 424242" in page.text
    assert huge.status_code == 404


def test_hostile_twilio_text_is_shown_as_text_on_every_page(
    tmp_path: Path, database_url: str
) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        [event_id] = store(
            runtime,
            {"message": HOSTILE, "url": HOSTILE, "raw_body": HOSTILE, "headers": {"x": HOSTILE}},
        )
        process(runtime)
        login(client)
        pages = [
            client.get("/console/").text,
            client.get("/console/events").text,
            client.get(f"/console/events/{event_id}").text,
            client.get(f"/console/events?text={HOSTILE}").text,
        ]

    for html in pages:
        assert "<script>alert" not in html
        assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[2]


def test_group_page_shows_its_events_and_notices(tmp_path: Path, database_url: str) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        store(runtime, {"message": "one"}, {"message": "two"})
        process(runtime)
        login(client)
        overview = client.get("/console/").text
        link = overview.split('href="/console/group?key=')[1].split('"')[0]
        page = client.get(f"/console/group?key={link}")

    assert page.status_code == 200
    assert "Silence 1h" in page.text
    assert "Acknowledge" in page.text
    assert page.text.count(">alerted<") == 2
    assert ">first<" in page.text


def test_notifications_page_filters_by_status(tmp_path: Path, database_url: str) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        store(runtime, {"error_code": "11200"}, {"error_code": "11205"})
        process(runtime)
        with runtime.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE notifications SET status = 'failed', last_error = 'boom' "
                "WHERE id = (SELECT min(id) FROM notifications)"
            )
        login(client)
        failed = client.get("/console/notifications?status=failed").text
        every = client.get("/console/notifications").text

    assert failed.count("<tr>") - 1 == 1
    assert every.count("<tr>") - 1 == 2
    assert "boom" in failed


def test_silences_page_lists_silences_and_offers_the_form(
    tmp_path: Path, database_url: str
) -> None:
    with console_client(tmp_path, database_url) as (client, _):
        login(client)
        page = client.get("/console/silences")

    assert page.status_code == 200
    assert "No silence in force" in page.text
    assert 'name="matchers"' in page.text


def test_digests_page_previews_the_current_period_built_in_the_background(
    tmp_path: Path, database_url: str
) -> None:
    with console_client(tmp_path, database_url) as (client, runtime):
        rules = runtime.settings.rules_file
        rules.write_text(
            rules.read_text() + '\n[[digests]]\nname = "daily"\nschedule = "0 8 * * *"\n'
        )
        runtime.rules.reload()
        store(runtime, {"error_code": "11200"})
        login(client)
        first = client.get("/console/digests")
        page = first
        deadline = time.monotonic() + 20
        while "As of" not in page.text and time.monotonic() < deadline:
            time.sleep(0.05)
            page = client.get("/console/digests")

    assert first.status_code == 200
    assert "being built" in first.text
    assert "daily" in page.text
    assert "11200" in page.text


def test_a_text_search_reads_a_day_a_page_and_goes_on_to_older_days(
    tmp_path: Path, database_url: str
) -> None:
    now = utcnow()
    with console_client(tmp_path, database_url) as (client, runtime):
        store(runtime, {"message": "needle three days ago"}, at=now - timedelta(days=3))
        store(runtime, {"message": "needle today"}, at=now - timedelta(hours=1))
        store(runtime, {"message": "hay today"}, at=now - timedelta(hours=1))
        login(client)
        pages = [client.get("/console/events?text=needle").text]
        for _ in range(5):  # today, then one day a page back to the oldest event
            if 'rel="next"' not in pages[-1]:
                break
            link = pages[-1].split('rel="next"')[0].rsplit('href="', 1)[1]
            pages.append(client.get(link.split('"')[0].replace("&amp;", "&")).text)

    assert "needle today" in pages[0]
    assert "needle three days ago" not in pages[0]
    assert "A text search reads one day a page" in pages[0]
    assert "needle three days ago" in pages[-1]
    assert 'rel="next"' not in pages[-1]
    assert not any("hay today" in page for page in pages)
    assert len(pages) == 4
