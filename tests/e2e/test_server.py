"""The real `notifier serve` process: simulate every kind, list events, proxies, start-up."""

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.bot import NOTIFIER, bot_env, free_port, serving
from fakes.samples import REAL_30007

from notifier.simulate import KINDS, sample
from notifier.twilio.signature import sign

pytestmark = pytest.mark.e2e

RULES = '[receivers.local]\nconsole = {}\n[fallback]\nvoice_say = "Sorry."\n'


def stored_events(env: dict[str, str], folder: Path) -> list[dict[str, Any]]:
    command = [NOTIFIER, "events", "--json", "--since", "1h", "--limit", "100000"]
    listed = subprocess.run(
        command, env=env, cwd=folder, capture_output=True, text=True, timeout=30
    )
    assert listed.returncode == 0, listed.stderr
    events: list[dict[str, Any]] = json.loads(listed.stdout)
    return events


@pytest.fixture(scope="module")
def sqlite_bot(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, str], Path]]:
    folder = tmp_path_factory.mktemp("bot")
    env = bot_env(folder, f"sqlite:///{folder / 'store.db'}", RULES)
    with serving(env, folder) as bot:
        yield bot.url, env, folder


def test_simulate_sends_every_kind_and_events_lists_them(
    sqlite_bot: tuple[str, dict[str, str], Path],
) -> None:
    base, env, folder = sqlite_bot
    senders = [
        subprocess.Popen(
            [NOTIFIER, "simulate", kind, "--code", "11205", "--url", base],
            env=env,
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for kind in KINDS
    ]
    answers = [(sender.communicate(timeout=30), sender.returncode) for sender in senders]
    events = [
        e
        for e in stored_events(env, folder)
        if e["error_code"] == "11205" or e["source"] == "usage_trigger"
    ]

    assert [(code, out.split(" ")[0]) for (out, _), code in answers] == [(0, "200")] * len(KINDS)
    assert sorted(e["source"] for e in events) == sorted(k.replace("-", "_") for k in KINDS)
    assert all(
        {"id", "received_at", "source", "error_code", "level", "message"} <= e.keys()
        for e in events
    )


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_signed_samples_of_every_kind_are_listed_on_postgresql(
    tmp_path: Path, database_url: str
) -> None:
    env = bot_env(tmp_path, database_url, RULES)
    with serving(env, tmp_path) as bot:
        base = bot.url
        for kind in KINDS:
            request = sample(kind, "11205")
            signed = request.form if request.form is not None else request.body
            headers = {
                "Content-Type": request.content_type,
                "X-Twilio-Signature": sign("tok", base + request.path, signed),
            }
            response = httpx.post(base + request.path, content=request.body, headers=headers)
            assert response.status_code == 200, response.text
        events = stored_events(env, tmp_path)

    assert sorted(e["source"] for e in events) == sorted(k.replace("-", "_") for k in KINDS)


def test_signed_request_is_stored_with_catalog_fields(
    sqlite_bot: tuple[str, dict[str, str], Path],
) -> None:
    base, env, folder = sqlite_bot
    signature = sign("tok", f"{base}/twilio/debugger", REAL_30007)

    response = httpx.post(
        f"{base}/twilio/debugger", data=REAL_30007, headers={"X-Twilio-Signature": signature}
    )
    [event] = [e for e in stored_events(env, folder) if e["event_sid"] == REAL_30007["Sid"]]

    assert response.status_code == 200
    assert (event["error_code"], event["error_message"], event["product"]) == (
        "30007",
        "Message filtered",
        "Programmable SMS",
    )
    assert isinstance(event["id"], int) and event["received_at"].endswith("Z")
    assert event["time"] == "2021-10-12T23:43:53.289000Z"


def test_bad_signature_is_refused_and_counted_by_the_server(
    sqlite_bot: tuple[str, dict[str, str], Path],
) -> None:
    base, _, _ = sqlite_bot
    rejected = 'notifier_events_rejected_total{reason="signature",source="debugger"}'

    def count() -> float:
        lines = httpx.get(f"{base}/metrics").text.splitlines()
        return sum(float(line.split(" ")[-1]) for line in lines if line.startswith(rejected))

    before = count()
    response = httpx.post(
        f"{base}/twilio/debugger", data=REAL_30007, headers={"X-Twilio-Signature": "bm9wZQ=="}
    )

    assert response.status_code == 403
    assert count() == before + 1


@pytest.mark.parametrize(
    ("forwarded_proto", "signed_for", "status"),
    [
        pytest.param("https", "https://bot.example.com/twilio/debugger", 200, id="https-accepted"),
        pytest.param(None, "https://bot.example.com/twilio/debugger", 403, id="no-proto-refused"),
        pytest.param("https", "http://bot.example.com/twilio/debugger", 403, id="http-refused"),
    ],
)
def test_proxy_headers_give_the_url_twilio_signed(
    sqlite_bot: tuple[str, dict[str, str], Path],
    forwarded_proto: str | None,
    signed_for: str,
    status: int,
) -> None:
    base, _, _ = sqlite_bot
    fields = {**REAL_30007, "Sid": f"NOproxy{forwarded_proto}{status}"}
    headers = {"Host": "bot.example.com", "X-Twilio-Signature": sign("tok", signed_for, fields)}
    if forwarded_proto:
        headers["X-Forwarded-Proto"] = forwarded_proto

    response = httpx.post(f"{base}/twilio/debugger", data=fields, headers=headers)

    assert response.status_code == status


def test_server_refuses_to_start_without_an_auth_token(tmp_path: Path) -> None:
    env = bot_env(tmp_path, f"sqlite:///{tmp_path / 'store.db'}", RULES)
    del env["TWILIO_AUTH_TOKEN"]

    command = [NOTIFIER, "serve", "--host", "127.0.0.1", "--port", str(free_port())]
    result = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30
    )

    assert result.returncode == 1
    assert "TWILIO_AUTH_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
