"""The five Twilio endpoints in-process: signatures, limits, idempotency, health, metrics."""

import asyncio
import contextlib
import hashlib
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from conftest import ERROR_CODES_FILE
from fakes.events import make_incoming
from fakes.samples import DAILY_THRESHOLD, REAL_30007
from starlette.testclient import TestClient

from notifier.app import Runtime, create_app
from notifier.ingest.writer import InboxWriter
from notifier.settings import Settings
from notifier.simulate import KINDS, sample
from notifier.store.engine import make_engine
from notifier.store.events import StoredEvent, list_events
from notifier.store.migrations import migrate
from notifier.twilio.signature import sign

BASE = "http://testserver"
RULES = """\
[receivers.local]
console = {}

[fallback]
voice_say = "We are having trouble, please call back later."
messaging_reply = ""
"""


@contextlib.contextmanager
def bot(
    tmp_path: Path,
    database_url: str | None = None,
    client_host: str = "testclient",
    **settings: Any,
) -> Iterator[tuple[TestClient, Runtime]]:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    base = Settings(
        auth_tokens=("tok",),
        database_url=database_url or f"sqlite:///{tmp_path / 'store.db'}",
        rules_file=rules,
        error_codes_file=ERROR_CODES_FILE,
    )
    runtime = Runtime.start(replace(base, **settings), fetch_catalog=False)
    app = create_app(runtime, run_worker=False)
    try:
        with TestClient(app, base_url=BASE, client=(client_host, 50000)) as c:
            yield c, runtime
    finally:
        runtime.engine.dispose()


def post_form(
    client: TestClient,
    path: str,
    fields: Mapping[str, str],
    *,
    token: str = "tok",
    signed_url: str | None = None,
) -> Any:
    signature = sign(token, signed_url or BASE + path, dict(fields))
    return client.post(path, data=dict(fields), headers={"X-Twilio-Signature": signature})


def post_json(client: TestClient, path: str, body: Any, *, base: str = BASE) -> Any:
    text = json.dumps(body)
    path = f"{path}?bodySHA256={hashlib.sha256(text.encode()).hexdigest()}"
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Signature": sign("tok", base + path, text),
    }
    return client.post(path, content=text.encode(), headers=headers)


def stored(runtime: Runtime) -> list[StoredEvent]:
    with runtime.engine.connect() as conn:
        return list_events(conn, None, 1000)


def metric(client: TestClient, line_start: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(line_start + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.mark.parametrize("kind", KINDS)
def test_each_endpoint_stores_a_signed_sample(tmp_path: Path, database_url: str, kind: str) -> None:
    request = sample(kind, "11205")
    signed = request.form if request.form is not None else request.body
    headers = {
        "Content-Type": request.content_type,
        "X-Twilio-Signature": sign("tok", BASE + request.path, signed),
    }
    with bot(tmp_path, database_url) as (client, runtime):
        response = client.post(request.path, content=request.body.encode(), headers=headers)

        [event] = stored(runtime)
    assert response.status_code == 200
    assert event.event.source == kind.replace("-", "_")
    assert kind == "usage-trigger" or event.event.error_code == "11205"


def test_real_debugger_sample_is_stored_with_its_fields(tmp_path: Path, database_url: str) -> None:
    with bot(tmp_path, database_url) as (client, runtime):
        response = post_form(client, "/twilio/debugger", REAL_30007)

        [event] = stored(runtime)
    assert (response.status_code, response.text) == (200, "ok\n")
    assert event.event.error_code == "30007"
    assert event.event.resource_type == "message"
    assert event.event.time == datetime(2021, 10, 12, 23, 43, 53, 289000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sid_field", "expected"),
    [
        pytest.param(
            "CallSid",
            "<Response><Say>We are having trouble, please call back later.</Say></Response>",
            id="voice-says-the-configured-text",
        ),
        pytest.param("MessageSid", "<Response />", id="messaging-answers-empty-response"),
    ],
)
def test_fallback_answers_twiml(tmp_path: Path, sid_field: str, expected: str) -> None:
    fields = {"AccountSid": "AC1", sid_field: "XX1", "ErrorCode": "11200"}
    with bot(tmp_path) as (client, _):
        response = post_form(client, "/twilio/fallback", fields)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.endswith(expected)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param(
            {"X-Twilio-Signature": sign("other", BASE + "/twilio/debugger", REAL_30007)},
            id="wrong-token",
        ),
        pytest.param(
            {"X-Twilio-Signature": sign("tok", "https://evil.example/twilio/debugger", REAL_30007)},
            id="other-url",
        ),
        pytest.param(
            {
                "X-Twilio-Signature": sign(
                    "tok", BASE + "/twilio/debugger", {**REAL_30007, "Level": "WARNING"}
                )
            },
            id="changed-field",
        ),
    ],
)
def test_bad_signature_is_refused_counted_and_not_stored(
    tmp_path: Path, headers: dict[str, str]
) -> None:
    with bot(tmp_path) as (client, runtime):
        response = client.post("/twilio/debugger", data=REAL_30007, headers=headers)

        assert response.status_code == 403
        assert response.text == "invalid or missing X-Twilio-Signature\n"
        assert stored(runtime) == []
        rejected = 'notifier_events_rejected_total{reason="signature",source="debugger"}'
        assert metric(client, rejected) == 1.0


def test_second_configured_token_is_accepted(tmp_path: Path) -> None:
    with bot(tmp_path, auth_tokens=("old", "tok")) as (client, runtime):
        response = post_form(client, "/twilio/debugger", REAL_30007)

        assert response.status_code == 200
        assert len(stored(runtime)) == 1


def test_oversize_body_is_refused_with_413_and_the_connection_closed(tmp_path: Path) -> None:
    fields = {**REAL_30007, "Payload": "x" * (256 * 1024)}
    with bot(tmp_path) as (client, runtime):
        response = post_form(client, "/twilio/debugger", fields)

        assert response.status_code == 413
        assert response.text == f"body larger than {256 * 1024} bytes\n"
        assert response.headers["connection"] == "close"  # the rest of the body is not wanted
        assert stored(runtime) == []


@pytest.mark.parametrize(
    ("path", "content_type", "accepted"),
    [
        pytest.param(
            "/twilio/debugger",
            "application/json",
            "application/x-www-form-urlencoded",
            id="debugger-json",
        ),
        pytest.param(
            "/twilio/event-streams",
            "application/x-www-form-urlencoded",
            "application/json",
            id="event-streams-form",
        ),
        pytest.param(
            "/twilio/alarms",
            "text/plain",
            "application/x-www-form-urlencoded or application/json",
            id="alarms-text",
        ),
        pytest.param(
            "/twilio/debugger", "", "application/x-www-form-urlencoded", id="debugger-none"
        ),
    ],
)
def test_unexpected_content_type_is_refused_with_415(
    tmp_path: Path, path: str, content_type: str, accepted: str
) -> None:
    with bot(tmp_path) as (client, _):
        response = client.post(path, content=b"{}", headers={"Content-Type": content_type})

    assert response.status_code == 415
    assert response.text == f"content type must be {accepted}\n"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/twilio/debugger", id="get-debugger"),
        pytest.param("PUT", "/twilio/alarms", id="put-alarms"),
        pytest.param("DELETE", "/twilio/event-streams", id="delete-event-streams"),
        pytest.param("PATCH", "/twilio/usage-triggers", id="patch-usage-triggers"),
        pytest.param("POST", "/healthz", id="post-healthz"),
    ],
)
def test_unexpected_method_is_refused_with_405(tmp_path: Path, method: str, path: str) -> None:
    with bot(tmp_path) as (client, _):
        response = client.request(method, path)

    assert response.status_code == 405


def test_missing_account_sid_is_a_400_that_says_so(tmp_path: Path) -> None:
    fields = {k: v for k, v in REAL_30007.items() if k != "AccountSid"}
    with bot(tmp_path) as (client, runtime):
        response = post_form(client, "/twilio/debugger", fields)

        assert (response.status_code, response.text) == (
            400,
            "missing required field(s): AccountSid\n",
        )
        assert stored(runtime) == []


def test_cloud_event_without_id_is_a_400_that_says_so(tmp_path: Path) -> None:
    with bot(tmp_path) as (client, _):
        response = post_json(client, "/twilio/event-streams", [{"type": "x", "data": {}}])

    assert (response.status_code, response.text) == (400, "CloudEvent #0 has no 'id'\n")


def test_redelivered_event_is_stored_once_and_counted_as_duplicate(
    tmp_path: Path, database_url: str
) -> None:
    with bot(tmp_path, database_url) as (client, runtime):
        first = post_form(client, "/twilio/debugger", REAL_30007)
        again = post_form(client, "/twilio/debugger", REAL_30007)

        assert (first.status_code, again.status_code) == (200, 200)
        assert len(stored(runtime)) == 1
        assert metric(client, 'notifier_events_received_total{source="debugger"}') == 1.0
        assert metric(client, 'notifier_events_duplicate_total{source="debugger"}') == 1.0


def test_usage_trigger_called_twice_for_one_firing_is_stored_once(tmp_path: Path) -> None:
    second_call = {**DAILY_THRESHOLD, "CurrentValue": "13"}
    with bot(tmp_path) as (client, runtime):
        post_form(client, "/twilio/usage-triggers", DAILY_THRESHOLD)
        response = post_form(client, "/twilio/usage-triggers", second_call)

        assert response.status_code == 200
        assert [e.event.current_value for e in stored(runtime)] == ["12"]


def test_cloud_event_redelivered_in_another_batch_is_stored_once(tmp_path: Path) -> None:
    def cloud_event(event_id: str) -> dict[str, Any]:
        return {
            "id": event_id,
            "type": "com.twilio.error-logs.error.logged",
            "data": {"account_sid": "AC1", "error_code": "30003"},
        }

    with bot(tmp_path) as (client, runtime):
        post_json(client, "/twilio/event-streams", [cloud_event("EV1"), cloud_event("EV2")])
        response = post_json(client, "/twilio/event-streams", cloud_event("EV2"))

        assert response.status_code == 200
        assert len(stored(runtime)) == 2


def test_usage_trigger_by_get_signed_as_twilio_signs_it_is_accepted(tmp_path: Path) -> None:
    path = "/twilio/usage-triggers?" + urlencode(DAILY_THRESHOLD)
    signature = sign("tok", BASE + path, {})  # GET: Twilio signs the full URL, no params
    with bot(tmp_path) as (client, runtime):
        response = client.get(path, headers={"X-Twilio-Signature": signature})

        assert response.status_code == 200
        assert len(stored(runtime)) == 1


def test_usage_trigger_by_get_with_a_bad_signature_is_refused(tmp_path: Path) -> None:
    path = "/twilio/usage-triggers?" + urlencode(DAILY_THRESHOLD)
    with bot(tmp_path) as (client, runtime):
        response = client.get(path, headers={"X-Twilio-Signature": sign("other", BASE + path, {})})

        assert response.status_code == 403
        assert stored(runtime) == []


def test_public_url_is_what_the_signature_covers(tmp_path: Path) -> None:
    public = "https://bot.example.com/"
    with bot(tmp_path, public_url=public) as (client, runtime):
        behind_proxy = post_form(
            client,
            "/twilio/debugger",
            REAL_30007,
            signed_url="https://bot.example.com/twilio/debugger",
        )
        as_seen_locally = post_form(client, "/twilio/debugger", {**REAL_30007, "Sid": "NO2"})

        assert (behind_proxy.status_code, as_seen_locally.status_code) == (200, 403)
        assert len(stored(runtime)) == 1


def test_public_url_signature_covers_the_query_of_a_json_request(tmp_path: Path) -> None:
    body = {
        "id": "EV1",
        "type": "com.twilio.error-logs.error.logged",
        "data": {"account_sid": "AC1"},
    }
    with bot(tmp_path, public_url="https://bot.example.com") as (client, _):
        accepted = post_json(client, "/twilio/event-streams", body, base="https://bot.example.com")
        refused = post_json(client, "/twilio/event-streams", body)

    assert (accepted.status_code, refused.status_code) == (200, 403)


@pytest.mark.parametrize(
    ("allow", "client_host", "status"),
    [
        pytest.param(True, "127.0.0.1", 200, id="allowed-from-loopback"),
        pytest.param(True, "testclient", 403, id="allowed-but-not-loopback"),
        pytest.param(False, "127.0.0.1", 403, id="not-allowed"),
    ],
)
def test_development_mode_accepts_unsigned_requests_from_loopback_only(
    tmp_path: Path, allow: bool, client_host: str, status: int
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 's.db'}",
        rules_file=rules,
        allow_unsigned_loopback=allow,
    )
    runtime = Runtime.start(settings, fetch_catalog=False)
    app = create_app(runtime, run_worker=False)
    with TestClient(app, base_url=BASE, client=(client_host, 50000)) as client:
        response = client.post("/twilio/debugger", data=REAL_30007)
    runtime.engine.dispose()

    assert response.status_code == status


def test_development_mode_still_checks_signatures_when_a_token_is_set(tmp_path: Path) -> None:
    with bot(tmp_path, client_host="127.0.0.1", allow_unsigned_loopback=True) as (client, _):
        response = client.post("/twilio/debugger", data=REAL_30007)

    assert response.status_code == 403


def test_health_readiness_and_metrics_answer(tmp_path: Path) -> None:
    with bot(tmp_path) as (client, _):
        health = client.get("/healthz")
        ready = client.get("/readyz")
        metrics = client.get("/metrics")

    assert (health.status_code, health.text) == (200, "ok\n")
    assert (ready.status_code, ready.json()) == (200, {"ready": True, "store": "ok", "rules": "ok"})
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "notifier_queue_pending_events 0.0" in metrics.text


def test_metrics_show_the_backlog_of_unprocessed_events(tmp_path: Path) -> None:
    with bot(tmp_path) as (client, _):
        post_form(client, "/twilio/debugger", REAL_30007)

        assert metric(client, "notifier_queue_pending_events") == 1.0
        assert metric(client, "notifier_queue_lag_seconds") >= 0.0


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({**REAL_30007, "AccountSid": "AC" + "9" * 70}, id="account-sid-over-64"),
        pytest.param(
            {**REAL_30007, "Payload": json.dumps({"resource_sid": "CA" + "1" * 70})},
            id="resource-sid-over-64",
        ),
        pytest.param(
            {**REAL_30007, "Payload": json.dumps({"error_code": "11200-" + "x" * 20})},
            id="error-code-over-16",
        ),
    ],
)
def test_signed_event_with_oversized_sids_is_stored_not_refused(
    tmp_path: Path, database_url: str, fields: dict[str, str]
) -> None:
    with bot(tmp_path, database_url) as (client, runtime):
        response = post_form(client, "/twilio/debugger", fields)

        assert response.status_code == 200
        assert len(stored(runtime)) == 1


def test_signed_alarm_with_a_lone_surrogate_is_stored(tmp_path: Path, database_url: str) -> None:
    text = '{"AccountSid": "AC\\ud800", "IdempotencyToken": "alarm-1", "ErrorCode": "11200"}'
    path = f"/twilio/alarms?bodySHA256={hashlib.sha256(text.encode()).hexdigest()}"
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Signature": sign("tok", BASE + path, text),
    }
    with bot(tmp_path, database_url) as (client, runtime):
        response = client.post(path, content=text.encode(), headers=headers)

        assert response.status_code == 200
        assert len(stored(runtime)) == 1


def test_one_unstorable_event_does_not_fail_the_requests_batched_with_it(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)

    async def two_concurrent_requests() -> list[object]:
        writer = InboxWriter(engine)
        writer.start()
        good = writer.store([make_incoming(key="debugger:NO1", account_sid="AC1")])
        bad = writer.store([make_incoming(key="debugger:NO2", account_sid="AC\ud800")])
        results = await asyncio.gather(good, bad, return_exceptions=True)
        await writer.stop()
        return results

    good, _ = asyncio.run(two_concurrent_requests())
    engine.dispose()

    assert good == {"debugger:NO1"}


def test_concurrent_redeliveries_count_one_received_and_one_duplicate(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    settings = Settings(
        auth_tokens=("tok",), database_url=f"sqlite:///{tmp_path / 's.db'}", rules_file=rules
    )
    runtime = Runtime.start(settings, fetch_catalog=False)
    app = create_app(runtime, run_worker=False)
    signature = sign("tok", BASE + "/twilio/debugger", REAL_30007)

    async def deliver_twice_at_once() -> None:
        async with app.app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
                post = client.post(
                    "/twilio/debugger", data=REAL_30007, headers={"X-Twilio-Signature": signature}
                )
                again = client.post(
                    "/twilio/debugger", data=REAL_30007, headers={"X-Twilio-Signature": signature}
                )
                assert [r.status_code for r in await asyncio.gather(post, again)] == [200, 200]

    asyncio.run(deliver_twice_at_once())
    rows = stored(runtime)
    runtime.engine.dispose()
    sample = runtime.metrics.registry.get_sample_value
    counts = [
        sample(f"notifier_events_{name}_total", {"source": "debugger"})
        for name in ("received", "duplicate")
    ]

    assert len(rows) == 1
    assert counts == [1.0, 1.0]


def webhook_scope() -> dict[str, Any]:
    """A form POST to the debugger endpoint, for driving the ASGI app by hand."""
    return {
        "type": "http",
        "method": "POST",
        "path": "/twilio/debugger",
        "query_string": b"",
        "headers": [(b"content-type", b"application/x-www-form-urlencoded")],
        "client": ("127.0.0.1", 50000),
    }


def test_a_client_gone_before_its_body_arrived_gets_no_answer_and_no_error(
    tmp_path: Path,
) -> None:
    scope = webhook_scope()
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    with bot(tmp_path) as (client, runtime):
        asyncio.run(client.app(scope, receive, send))
        assert stored(runtime) == []

    assert sent == []


def test_json_body_signed_without_body_sha256_is_refused(tmp_path: Path) -> None:
    text = json.dumps({"id": "EV1", "data": {"account_sid": "AC1"}})
    path = "/twilio/event-streams"  # a signature of the URL alone would admit any body
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Signature": sign("tok", BASE + path, {}),
    }
    with bot(tmp_path) as (client, runtime):
        response = client.post(path, content=text.encode(), headers=headers)

        assert response.status_code == 403
        assert stored(runtime) == []


def test_a_field_repeated_ahead_of_the_signed_ones_is_refused_and_not_stored(
    tmp_path: Path,
) -> None:
    signature = sign("tok", BASE + "/twilio/debugger", REAL_30007)
    body = "Level=INJECTED&" + urlencode(REAL_30007)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    with bot(tmp_path) as (client, runtime):
        response = client.post("/twilio/debugger", content=body.encode(), headers=headers)

        assert (response.status_code, response.text) == (
            400,
            "form field 'Level' is sent more than once\n",
        )
        assert stored(runtime) == []


def test_a_replay_with_reordered_fields_and_a_new_idempotency_header_is_one_event(
    tmp_path: Path, database_url: str
) -> None:
    fields = {"AccountSid": "AC1", "Level": "ERROR", "Payload": '{"error_code": "11200"}'}
    reordered = dict(reversed(fields.items()))  # no Sid: what Twilio signed identifies it
    signature = sign("tok", BASE + "/twilio/debugger", fields)
    with bot(tmp_path, database_url) as (client, runtime):
        for n, form in enumerate([fields, reordered, fields]):
            headers = {"X-Twilio-Signature": signature, "I-Twilio-Idempotency-Token": f"t{n}"}
            response = client.post("/twilio/debugger", data=form, headers=headers)
            assert response.status_code == 200

        assert len(stored(runtime)) == 1


def test_a_flood_of_fields_is_refused_within_a_second_while_healthz_answers(
    tmp_path: Path,
) -> None:
    # 32,000 distinct names and one repeated: before the cap, hours of work per request.
    body = "&".join(f"f{n}=" for n in range(32_000)) + "&f0=x"
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "bm8="}

    async def flood_and_health() -> tuple[int, float, int, float]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app)) as http:
            started = time.monotonic()

            async def timed(request: Any) -> tuple[int, float]:
                response = await request
                return response.status_code, time.monotonic() - started

            flood = timed(http.post(BASE + "/twilio/debugger", content=body, headers=headers))
            health = timed(http.get(BASE + "/healthz"))
            (status, took), (health_status, health_took) = await asyncio.gather(flood, health)
            return status, took, health_status, health_took

    with bot(tmp_path) as (client, runtime):
        status, took, health_status, health_took = asyncio.run(flood_and_health())

        assert stored(runtime) == []
    assert (status, health_status) == (413, 200)
    assert took < 1.0 and health_took < 1.0


def test_a_refused_signature_is_logged_once_with_the_url_it_was_checked_against(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    signature = sign("tok", "http://internal:8000/twilio/debugger", REAL_30007)
    headers = {"X-Twilio-Signature": signature}
    with bot(tmp_path, public_url="https://bot.example.com") as (client, _):
        for _ in range(3):
            client.post("/twilio/debugger", data=REAL_30007, headers=headers)

    [record] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "https://bot.example.com/twilio/debugger" in record.getMessage()
    assert "PUBLIC_URL" in record.getMessage()
    assert signature not in record.getMessage() and "tok" not in record.getMessage()


def test_a_webhook_body_that_trickles_in_is_cut_off_after_the_read_timeout(
    tmp_path: Path,
) -> None:
    scope = webhook_scope()
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(0.05)  # a byte at a time, never the end
        return {"type": "http.request", "body": b"A", "more_body": True}

    async def send(message: Any) -> None:
        sent.append(message)

    with bot(tmp_path, read_timeout=0.3) as (client, runtime):
        started = time.monotonic()
        asyncio.run(client.app(scope, receive, send))
        took = time.monotonic() - started

        assert stored(runtime) == []
    assert 0.3 <= took < 1.0
    assert sent[0]["status"] == 408
    assert (b"connection", b"close") in sent[0]["headers"]
    assert sent[1]["body"] == b"body not received within 0.3 s\n"


def test_a_store_that_cannot_take_the_event_is_answered_503_with_retry_after(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with bot(tmp_path) as (client, runtime):
        with runtime.engine.begin() as conn:  # as if the database went away under the bot
            conn.exec_driver_sql("ALTER TABLE events RENAME TO events_gone")
        response = post_form(client, "/twilio/debugger", REAL_30007)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.text == "store unavailable, retry later\n"
    (record,) = [r for r in caplog.records if r.name == "notifier.ingest.endpoint"]
    # One line that says why, without the traceback or the event's body.
    assert record.getMessage() == (
        "could not store a debugger event, answered 503: no such table: events"
    )
    assert record.exc_info is None
