"""The real `notifier serve` process: simulate every kind, list events, proxies, start-up."""

import contextlib
import json
import selectors
import socket
import subprocess
import time
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


@pytest.mark.parametrize(
    ("extra", "host", "named"),
    [
        pytest.param({"FORWARDED_ALLOW_IPS": "*"}, "127.0.0.1", "FORWARDED_ALLOW_IPS", id="proxy"),
        pytest.param({}, "0.0.0.0", "--host 0.0.0.0", id="public-bind"),
    ],
)
def test_development_mode_refuses_to_start_where_it_could_be_fooled(
    tmp_path: Path, extra: dict[str, str], host: str, named: str
) -> None:
    env = bot_env(tmp_path, f"sqlite:///{tmp_path / 'store.db'}", RULES, **extra)
    del env["TWILIO_AUTH_TOKEN"]
    env["ALLOW_UNSIGNED_LOOPBACK"] = "1"

    command = [NOTIFIER, "serve", "--host", host, "--port", str(free_port())]
    result = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=20
    )

    assert result.returncode == 1
    assert named in result.stderr and "ALLOW_UNSIGNED_LOOPBACK" in result.stderr
    assert "Traceback" not in result.stderr


def test_development_mode_judges_the_socket_not_x_forwarded_for(tmp_path: Path) -> None:
    env = bot_env(tmp_path, f"sqlite:///{tmp_path / 'store.db'}", RULES)
    del env["TWILIO_AUTH_TOKEN"]
    env["ALLOW_UNSIGNED_LOOPBACK"] = "1"
    with serving(env, tmp_path) as bot:
        response = httpx.post(
            f"{bot.url}/twilio/debugger",
            data=REAL_30007,
            headers={"X-Forwarded-For": "203.0.113.9"},  # a header, not where the socket is
        )

    assert response.status_code == 200


READ_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def guarded_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("guarded")
    limits = {"WEB_MAX_CONNECTIONS": "50", "WEB_READ_TIMEOUT": str(READ_TIMEOUT)}
    env = bot_env(folder, f"sqlite:///{folder / 'store.db'}", RULES, **limits)
    with serving(env, folder) as bot:
        yield bot.url


def open_sockets(base: str, count: int, send: bytes = b"") -> list[socket.socket]:
    port = int(base.rsplit(":", 1)[1])
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
    for sock in sockets:
        sock.sendall(send)
    return sockets


def closed_by_the_server(sockets: list[socket.socket], seconds: float) -> list[socket.socket]:
    """The sockets the server closed (everything it sent read) within `seconds`."""
    closed: list[socket.socket] = []
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + seconds
        while len(closed) < len(sockets) and (left := deadline - time.monotonic()) > 0:
            for key, _ in selector.select(left):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if _drained(sock):
                    selector.unregister(sock)
                    closed.append(sock)
    return closed


def _drained(sock: socket.socket) -> bool:
    try:
        return sock.recv(65536) == b""
    except ConnectionResetError:
        return True


def slow_webhook_head(length: int) -> bytes:
    return (
        "POST /twilio/debugger HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def test_idle_and_slow_clients_leave_room_for_webhooks_and_healthz(guarded_bot: str) -> None:
    idle = open_sockets(guarded_bot, 300)
    slow_headers = open_sockets(guarded_bot, 20, b"POST /twilio/debugger HTTP/1.1\r\nHost: x")
    slow_bodies = open_sockets(guarded_bot, 20, slow_webhook_head(1000) + b"AccountSid=")
    try:
        health = httpx.get(f"{guarded_bot}/healthz", timeout=5)
        fields = {**REAL_30007, "Sid": "NOguarded"}
        signature = sign("tok", f"{guarded_bot}/twilio/debugger", fields)
        webhook = httpx.post(
            f"{guarded_bot}/twilio/debugger",
            data=fields,
            headers={"X-Twilio-Signature": signature},
            timeout=5,
        )
        evicted = closed_by_the_server(idle, READ_TIMEOUT / 2)
        everything = closed_by_the_server(idle + slow_headers + slow_bodies, READ_TIMEOUT + 3)
    finally:
        for sock in idle + slow_headers + slow_bodies:
            sock.close()

    assert (health.status_code, webhook.status_code) == (200, 200)
    assert len(evicted) >= 300 - 50  # at most 50 open connections, the longest idle go first
    assert len(everything) == 340  # and no request's headers or body waited past the timeout


def test_a_request_whose_body_trickles_in_is_cut_off_after_the_read_timeout(
    guarded_bot: str,
) -> None:
    [sock] = open_sockets(guarded_bot, 1, slow_webhook_head(1000))
    started = time.monotonic()
    answer = b""
    try:
        sock.settimeout(0.2)
        while time.monotonic() - started < READ_TIMEOUT + 5:
            # A byte every 0.2 s, never the whole body; none in the last half second, so the
            # server's close finds nothing unread and sends its 408 rather than a reset.
            if time.monotonic() - started < READ_TIMEOUT - 0.5:
                with contextlib.suppress(OSError):
                    sock.sendall(b"A")
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            answer += chunk
        took = time.monotonic() - started
    finally:
        sock.close()

    assert answer.startswith(b"HTTP/1.1 408 ")
    assert answer.endswith(f"body not received within {READ_TIMEOUT:g} s\n".encode())
    assert READ_TIMEOUT <= took < READ_TIMEOUT + 3  # slack for a loaded machine


def test_a_request_head_over_64_kib_is_refused_and_the_connection_closed(
    guarded_bot: str,
) -> None:
    head = slow_webhook_head(0).replace(b"\r\n\r\n", b"\r\nX-Padding: " + b"a" * 70_000 + b"\r\n")
    [sock] = open_sockets(guarded_bot, 1, head)
    try:
        sock.settimeout(5)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    finally:
        sock.close()

    assert answer.startswith(b"HTTP/1.1 400 ")
    assert answer.endswith(b"Request line and headers exceed 65536 bytes.")
