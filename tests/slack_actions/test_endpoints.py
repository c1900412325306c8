"""Acting from Slack against a real `notifier serve` and a FakeSlack: the buttons on an alert,
`/twilio-alerts`, and every request that must do nothing."""

import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.bot import NOTIFIER, bot_env, serving
from fakes.slack import FakeSlack
from fakes.slack_bot import SlackBot, acted_line, blocks_of, button, labels
from fakes.slack_signing import SECRET, click_body, command_body, signed_headers
from fakes.wait import wait_until
from sqlalchemy import Engine

from notifier.actions import Origin, audit_entries
from notifier.store.engine import make_engine
from notifier.store.silences import Silence, active_silences

pytestmark = pytest.mark.e2e

TOKEN = "xoxb-fake-token"
RULES = """
[defaults]
receivers = ["ops"]
group_by = ["error_code"]
group_wait = "0s"
group_interval = "1s"
[receivers.ops]
slack = { channel = "#alerts" }
[[routes]]
name = "reminded"
match = { error_code = ["11300", "11301"] }
repeat_interval = "1s"
resolve_after = "10m"
[[routes]]
name = "webhooks"
"""
REJECTED = "notifier_slack_requests_rejected_total"
SILENCED = 'notifier_event_outcomes_total{outcome="silenced",route="webhooks"}'


@pytest.fixture(scope="module")
def slack_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackBot]:
    """One bot for the module: user U123ABC is allowed by name, members of S0ONCALL (U777) by
    group; anyone else is refused. Each test uses error codes of its own (its own groups)."""
    folder = tmp_path_factory.mktemp("slack-bot")
    scopes = frozenset({"chat:write", "channels:history", "usergroups:read"})
    with FakeSlack(token=TOKEN, scopes=scopes) as slack:
        slack.set_user_groups({"S0ONCALL": ["U777"]})
        env = bot_env(
            folder,
            f"sqlite:///{folder / 'store.db'}",
            RULES,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_API_URL=slack.api_url,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_ALLOWED_USERS="U123ABC",
            SLACK_ALLOWED_GROUPS="S0ONCALL",
        )
        with serving(env, folder) as bot:
            yield SlackBot(bot, slack, env)


@pytest.fixture
def store(slack_bot: SlackBot) -> Iterator[Engine]:
    engine = make_engine(slack_bot.env["DATABASE_URL"])
    yield engine
    engine.dispose()


def silences(store: Engine) -> list[Silence]:
    with store.connect() as conn:
        return active_silences(conn, datetime.now(UTC))


def test_silence_1h_quiets_the_group_updates_the_message_and_names_the_user(
    slack_bot: SlackBot, store: Engine
) -> None:
    slack_bot.send_event("11200")
    alert = slack_bot.alert("11200")
    before = slack_bot.metric(SILENCED)

    started = time.monotonic()
    answer, url = slack_bot.click(alert, "Silence 1h")
    answered_in = time.monotonic() - started
    slack_bot.response(url)
    slack_bot.send_event("11200")
    wait_until(lambda: slack_bot.metric(SILENCED) > before, "silenced event", slack_bot.bot.log)

    assert answer.status_code == 200 and answered_in < 3
    updated = slack_bot.alert("11200")
    assert acted_line(updated) is not None
    assert acted_line(updated).startswith("Silenced for 1h by <@U123ABC>, until ")  # type: ignore[union-attr]
    assert labels(updated) == ["Unsilence", "Acknowledge"]
    [silence] = [s for s in silences(store) if s.matchers == {"error_code": "11200"}]
    assert 3590 < (silence.ends_at - datetime.now(UTC)).total_seconds() <= 3600
    assert [m["ts"] for m in slack_bot.slack.messages if "11200" in str(m["text"])] == [alert["ts"]]
    with store.connect() as conn:
        entry = audit_entries(conn, limit=1)[0]
    assert (entry.origin, entry.who) == (Origin.SLACK, "U123ABC (alice)")
    assert "from Slack by U123ABC (alice)  on route webhooks  error_code=11200" in cli(
        slack_bot, "silence", "list"
    )


def cli(slack_bot: SlackBot, *args: str) -> str:
    done = subprocess.run(
        [NOTIFIER, *args], env=slack_bot.env, cwd=slack_bot.bot.log.parent,
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_unsilence_ends_the_silence_and_brings_the_silence_buttons_back(
    slack_bot: SlackBot, store: Engine
) -> None:
    slack_bot.send_event("11201")
    _, url = slack_bot.click(slack_bot.alert("11201"), "Silence 24h")
    slack_bot.response(url)
    silenced = slack_bot.alert("11201")

    _, again = slack_bot.click(silenced, "Unsilence", user="U777", name="bob")
    slack_bot.response(again)

    unsilenced = slack_bot.alert("11201")
    assert acted_line(silenced).startswith("Silenced for 1d by <@U123ABC>")  # type: ignore[union-attr]
    assert acted_line(unsilenced) == "Unsilenced by <@U777>"
    assert labels(unsilenced) == ["Silence 1h", "Silence 24h", "Acknowledge"]
    assert [s for s in silences(store) if s.matchers == {"error_code": "11201"}] == []


def test_acknowledge_is_shown_and_can_be_withdrawn(slack_bot: SlackBot) -> None:
    slack_bot.send_event("11202")
    _, url = slack_bot.click(slack_bot.alert("11202"), "Acknowledge")
    slack_bot.response(url)
    acknowledged = slack_bot.alert("11202")

    _, again = slack_bot.click(acknowledged, "Unacknowledge")
    slack_bot.response(again)

    assert acted_line(acknowledged) == (
        "Acknowledged by <@U123ABC>: no repeat reminders until it resolves"
    )
    assert labels(acknowledged) == ["Silence 1h", "Silence 24h", "Unacknowledge"]
    assert labels(slack_bot.alert("11202")) == ["Silence 1h", "Silence 24h", "Acknowledge"]


def test_an_acknowledged_group_gets_no_repeat_reminder_but_its_count_still_updates(
    slack_bot: SlackBot,
) -> None:
    for code in ("11300", "11301"):  # 11301: the same route, not acknowledged
        slack_bot.send_event(code)
    acknowledged, reminded = slack_bot.alert("11300"), slack_bot.alert("11301")
    _, url = slack_bot.click(acknowledged, "Acknowledge")
    slack_bot.response(url)

    time.sleep(1.1)  # the route's repeat_interval passes: the next event is a repeat
    for code in ("11300", "11301"):
        slack_bot.send_event(code)
    log = slack_bot.bot.log
    wait_until(lambda: replies(slack_bot, reminded), "a repeat reminder for 11301", log)
    counted = wait_until(lambda: latest_edit(slack_bot, acknowledged, "2 events"), "a count", log)

    assert replies(slack_bot, acknowledged) == []
    assert labels(counted)[-1] == "Unacknowledge"


def latest_edit(slack_bot: SlackBot, message: dict[str, Any], text: str) -> dict[str, Any] | None:
    """The bot's latest chat.update of `message`, if it shows `text`."""
    edits = [u for u in slack_bot.slack.updates if u["ts"] == message["ts"]]
    return edits[-1] if edits and text in str(edits[-1]["blocks"]) else None


def replies(slack_bot: SlackBot, parent: dict[str, object]) -> list[dict[str, object]]:
    return [m for m in slack_bot.slack.messages if m["thread_ts"] == parent["ts"]]


def test_a_user_outside_the_allow_list_is_told_and_nothing_changes(
    slack_bot: SlackBot, store: Engine
) -> None:
    slack_bot.send_event("11203")
    alert = slack_bot.alert("11203")

    answer, url = slack_bot.click(alert, "Silence 1h", user="U999", name="mallory")
    told = slack_bot.response(url)

    assert answer.status_code == 200
    assert told["response_type"] == "ephemeral" and told["replace_original"] is False
    assert "not allowed" in told["text"]
    assert slack_bot.alert("11203") == alert
    assert [s for s in silences(store) if s.matchers == {"error_code": "11203"}] == []


def test_a_click_for_a_group_that_no_longer_exists_says_so(slack_bot: SlackBot) -> None:
    slack_bot.send_event("11204")
    alert = slack_bot.alert("11204")
    blocks = blocks_of(alert)
    for block in blocks:
        for element in block.get("elements", []):
            if "value" in element:
                element["value"] = "key:webhooks|error_code=99999"
    gone = {**alert, "blocks": blocks}

    _, url = slack_bot.click(gone, "Silence 1h")

    told = slack_bot.response(url)
    assert told["response_type"] == "ephemeral"
    assert told["text"] == "Nothing done: no alert group 'webhooks|error_code=99999'"


def signed_click(slack_bot: SlackBot, code: str) -> tuple[bytes, str]:
    slack_bot.send_event(code)
    alert = slack_bot.alert(code)
    url = slack_bot.slack.response_url(alert)
    return click_body(button(alert, "Silence 1h"), alert, url), url


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        pytest.param(lambda body: {}, "unsigned", id="missing-headers"),
        pytest.param(lambda body: signed_headers(body, at=time.time() - 301), "stale", id="stale"),
        pytest.param(
            lambda body: signed_headers(body, "not-the-secret"), "signature", id="wrong-secret"
        ),
    ],
)
def test_requests_not_signed_by_slack_are_refused_counted_and_do_nothing(
    slack_bot: SlackBot, store: Engine, headers: object, reason: str
) -> None:
    code = {"unsigned": "11205", "stale": "11206", "signature": "11207"}[reason]
    body, url = signed_click(slack_bot, code)
    counted = f'{REJECTED}{{endpoint="actions",reason="{reason}"}}'
    before = slack_bot.metric(counted)

    answer = slack_bot.post("/slack/actions", body, headers(body))  # type: ignore[operator]

    assert answer.status_code == 401
    assert slack_bot.metric(counted) == before + 1
    time.sleep(0.5)  # nothing may arrive: give a wrongly accepted click time to show
    assert [s for s in silences(store) if s.matchers == {"error_code": code}] == []
    assert [r for r in slack_bot.slack.responses if url.endswith(r["url_id"])] == []


def test_a_click_on_a_link_button_is_acknowledged_and_ignored(slack_bot: SlackBot) -> None:
    # With interactivity on, Slack also reports clicks on URL buttons (the Console, the docs).
    slack_bot.send_event("11209")
    alert = slack_bot.alert("11209")
    link = {"action_id": "Xy1", "text": {"type": "plain_text", "text": "Docs"}, "url": "https://x"}
    url = slack_bot.slack.response_url(alert)

    answer = slack_bot.post("/slack/actions", click_body(link, alert, url))

    assert answer.status_code == 200
    time.sleep(0.5)  # nothing may arrive: give a wrongly handled click time to show
    assert [r for r in slack_bot.slack.responses if url.endswith(r["url_id"])] == []


def test_a_replayed_click_does_nothing_the_second_time(slack_bot: SlackBot, store: Engine) -> None:
    body, url = signed_click(slack_bot, "11208")
    headers = signed_headers(body)

    first = slack_bot.post("/slack/actions", body, headers)
    slack_bot.response(url)
    second = slack_bot.post("/slack/actions", body, headers)

    assert (first.status_code, second.status_code) == (200, 401)
    assert len([s for s in silences(store) if s.matchers == {"error_code": "11208"}]) == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b"payload=not-json", "'payload' is not JSON", id="not-json"),
        pytest.param(b"other=1", "no 'payload' field", id="no-payload"),
        pytest.param(b"payload=%5B%5D", "'payload' is not a JSON object", id="not-an-object"),
        pytest.param(
            b'payload={"type":"block_actions","actions":[]}', "block_actions without 'actions'",
            id="no-actions",
        ),
        pytest.param(b"\xff\xfe", "the body is not UTF-8", id="not-utf8"),
    ],
)  # fmt: skip
def test_a_signed_but_malformed_payload_is_a_400_with_the_reason(
    slack_bot: SlackBot, body: bytes, reason: str
) -> None:
    answer = slack_bot.post("/slack/actions", body)

    assert answer.status_code == 400 and reason in answer.text


def test_a_body_over_the_limit_is_refused_before_its_signature_is_checked(
    slack_bot: SlackBot,
) -> None:
    answer = slack_bot.post("/slack/actions", b"x" * (1024 * 1024 + 1), {})

    assert answer.status_code == 413


def test_slash_help_answers_at_once_for_the_user_alone(slack_bot: SlackBot) -> None:
    answer, _ = slack_bot.command("help")

    assert answer.status_code == 200
    assert answer.json()["response_type"] == "ephemeral"
    assert "/twilio-alerts silence FIELD=VALUE" in answer.json()["text"]


def test_slash_status_lists_open_groups_newest_first_with_counts(slack_bot: SlackBot) -> None:
    slack_bot.send_event("11210")
    slack_bot.alert("11210")
    slack_bot.send_event("11211")
    slack_bot.alert("11211")

    _, url = slack_bot.command("public status")
    told = slack_bot.response(url)

    assert told["response_type"] == "in_channel"
    text = told["text"]
    assert "open alert groups*, newest first" in text
    assert text.index("11211") < text.index("11210")
    assert "1 event," in text


def test_slash_silence_adds_a_silence_that_silences_lists(
    slack_bot: SlackBot, store: Engine
) -> None:
    _, url = slack_bot.command("silence error_code=11212 route=webhooks 2h carrier outage")
    added = slack_bot.response(url)
    _, listed_url = slack_bot.command("silences")
    listed = slack_bot.response(listed_url)

    assert added["response_type"] == "ephemeral"
    assert added["text"].startswith("Silence #")
    assert "`error_code=11212 route=webhooks` for 2h" in added["text"]
    [silence] = [s for s in silences(store) if s.matchers == {"error_code": "11212"}]
    assert silence.comment == "carrier outage"
    assert f"#{silence.id} until" in listed["text"] and "carrier outage" in listed["text"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param("snooze", "unknown command 'snooze'", id="unknown-verb"),
        pytest.param("silence 2h", "say what to silence", id="no-matcher"),
        pytest.param("silence error_code=1 soon", '"soon" is not a duration', id="duration"),
        pytest.param("silence colour=red 1h", "'colour' is not an event field", id="field"),
    ],
)
def test_slash_command_errors_are_explained_to_the_user(
    slack_bot: SlackBot, text: str, error: str
) -> None:
    answer, _ = slack_bot.command(text)

    assert answer.status_code == 200
    assert answer.json()["response_type"] == "ephemeral" and error in answer.json()["text"]


def test_slash_silence_by_a_user_outside_the_allow_list_changes_nothing(
    slack_bot: SlackBot, store: Engine
) -> None:
    _, url = slack_bot.command("silence error_code=11213 1h", user="U999")

    told = slack_bot.response(url)

    assert told["response_type"] == "ephemeral" and "not allowed" in told["text"]
    assert [s for s in silences(store) if s.matchers == {"error_code": "11213"}] == []


def test_slash_commands_are_refused_without_a_valid_signature(slack_bot: SlackBot) -> None:
    body = command_body("status", "http://127.0.0.1:9/none")

    answer = slack_bot.post("/slack/commands", body, signed_headers(body, "not-the-secret"))

    assert answer.status_code == 401


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_click_silences_its_group_on_postgresql(tmp_path: Path, database_url: str) -> None:
    with FakeSlack(token=TOKEN) as slack:
        env = bot_env(
            tmp_path, database_url, RULES, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack.api_url,
            SLACK_SIGNING_SECRET=SECRET,
        )  # fmt: skip
        with serving(env, tmp_path) as bot:
            on_pg = SlackBot(bot, slack, env)
            on_pg.send_event("11200")
            _, url = on_pg.click(on_pg.alert("11200"), "Silence 24h")
            on_pg.response(url)
            updated = on_pg.alert("11200")
            listed = cli(on_pg, "silence", "list")

    assert labels(updated) == ["Unsilence", "Acknowledge"]
    assert "from Slack by U123ABC (alice)  on route webhooks  error_code=11200" in listed


def test_without_the_signing_secret_the_slack_routes_do_not_exist(tmp_path: Path) -> None:
    env = bot_env(tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    with serving(env, tmp_path) as bot:
        answers = [httpx.post(f"{bot.url}/slack/{path}") for path in ("actions", "commands")]

    assert [a.status_code for a in answers] == [404, 404]
