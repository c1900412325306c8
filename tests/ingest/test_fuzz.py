"""Random and hostile requests at every endpoint: always a clear answer, never a 500."""

import hashlib
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote_from_bytes, urlencode

import pytest
from conftest import ERROR_CODES_FILE
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import ImmutableMultiDict
from starlette.testclient import TestClient

from notifier.app import Runtime, create_app
from notifier.ingest.sources import SOURCES
from notifier.settings import Settings
from notifier.store.events import list_events
from notifier.twilio.signature import sign

BASE = "http://testserver"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
CLEAR_ANSWERS = {200, 400, 403, 405, 413, 415}
PATHS = [pytest.param(spec.path, id=spec.source.value) for spec in SOURCES]


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Runtime]]:
    folder = tmp_path_factory.mktemp("fuzz")
    rules = folder / "rules.toml"
    rules.write_text('[receivers.local]\nconsole = {}\n[fallback]\nvoice_say = "Sorry."\n')
    settings = Settings(
        auth_tokens=("tok",),
        database_url=f"sqlite:///{folder / 'store.db'}",
        rules_file=rules,
        error_codes_file=ERROR_CODES_FILE,
    )
    runtime = Runtime.start(settings, fetch_catalog=False)
    app = create_app(runtime, run_worker=False)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
        yield client, runtime
    runtime.engine.dispose()


HOSTILE = [
    "<!channel>",
    "<!here|here> <@U0123> <#C0123>",
    "line\r\nBcc: victim@example.com",
    "\r\n\r\n<html>",
    "\x00\x01\x7f",
    "\U0001f4a5 \u202e RTL \ufeff",
    "x" * 5000,
    "%zz%%&&==;",
    '{"resource_sid": ',
    "1e999999",
    "Mon, 21 Apr 2014 09:14:35 +0000",
    "2021-10-12T23:43:53.289Z",
]
FIELDS = [
    "AccountSid", "Sid", "Payload", "Level", "Timestamp", "ParentAccountSid", "UsageTriggerSid",
    "IdempotencyToken", "DateFired", "CallSid", "MessageSid", "ErrorCode", "ErrorUrl", "Log",
]  # fmt: skip
texts = st.one_of(st.text(max_size=300), st.sampled_from(HOSTILE))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=25,
)
forms = st.dictionaries(
    st.sampled_from(FIELDS) | texts, texts | json_values.map(json.dumps), max_size=8
)
content_types = st.sampled_from(
    [FORM, JSON, f"{FORM}; charset=utf-8", "text/plain", "", "multipart/form-data; boundary=x"]
) | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
bodies = st.one_of(
    forms.map(lambda fields: (urlencode(fields).encode(), FORM)),
    json_values.map(lambda value: (json.dumps(value).encode(), JSON)),
    st.tuples(st.binary(max_size=2000), content_types),
    st.tuples(st.text(max_size=500).map(lambda t: b"\xff\xfe" + t.encode()), content_types),
    st.tuples(st.sampled_from([b"A" * 300_000, b"[" * 900]), content_types),
)


def signed_request(path: str, body: bytes, content_type: str) -> tuple[str, dict[str, str]]:
    """What Twilio would send: bodySHA256 in the URL for JSON, form fields in the signature."""
    media = content_type.split(";")[0].strip().lower()
    if media == JSON:
        path = f"{path}?bodySHA256={hashlib.sha256(body).hexdigest()}"
    params: Any = {}
    if media == FORM:
        params = ImmutableMultiDict(parse_qsl(body.decode("utf-8", "replace"), True))
    return path, {"X-Twilio-Signature": sign("tok", BASE + path, params)}


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=50, deadline=None, database=None)
@given(
    request_body=bodies,
    content_type=st.none() | content_types,
    method=st.sampled_from(["POST", "POST", "POST", "GET", "PUT"]),
    is_signed=st.booleans(),
)
def test_any_request_gets_a_clear_answer_and_the_app_keeps_serving(
    bot: tuple[TestClient, Runtime],
    path: str,
    request_body: tuple[bytes, str],
    content_type: str | None,
    method: str,
    is_signed: bool,
) -> None:
    client, _ = bot
    body, natural_type = request_body
    content_type = natural_type if content_type is None else content_type
    if method == "GET":  # the fields travel in the query, which Twilio signs as part of the URL
        url, body = f"{path}?{quote_from_bytes(body[:2000], safe='=&')}", b""
        headers = {"X-Twilio-Signature": sign("tok", BASE + url, {})} if is_signed else {}
    else:
        url, headers = signed_request(path, body, content_type) if is_signed else (path, {})

    response = client.request(
        method, url, content=body, headers={"Content-Type": content_type, **headers}
    )

    assert response.status_code in CLEAR_ANSWERS, response.text
    assert client.get("/healthz").status_code == 200


@settings(max_examples=50, deadline=None, database=None)
@given(fields=forms)
def test_any_signed_debugger_form_with_an_account_is_stored(
    bot: tuple[TestClient, Runtime], fields: dict[str, str]
) -> None:
    client, _ = bot
    fields = {**fields, "AccountSid": "AC1"}

    path, headers = signed_request("/twilio/debugger", urlencode(fields).encode(), FORM)
    response = client.post(path, data=fields, headers=headers)

    assert response.status_code in (200, 413)


def test_hostile_text_is_stored_verbatim(bot: tuple[TestClient, Runtime]) -> None:
    client, runtime = bot
    text = "<!channel> deploy failed\r\nBcc: victim@example.com <@U0123>"
    fields = {
        "AccountSid": "AC1",
        "Sid": "NOhostile",
        "Payload": json.dumps({"more_info": {"Msg": text}}),
    }

    path, headers = signed_request("/twilio/debugger", urlencode(fields).encode(), FORM)
    response = client.post(path, data=fields, headers=headers)
    with runtime.engine.connect() as conn:
        messages = [stored.event.message for stored in list_events(conn, None, 100_000)]

    assert response.status_code == 200
    assert text in messages


DEEP_JSON = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("path", ["/twilio/event-streams", "/twilio/alarms"])
def test_deeply_nested_json_body_is_not_a_500(bot: tuple[TestClient, Runtime], path: str) -> None:
    client, _ = bot

    response = client.post(path, content=DEEP_JSON.encode(), headers={"Content-Type": JSON})

    assert response.status_code in CLEAR_ANSWERS


def test_deeply_nested_debugger_payload_is_not_a_500(bot: tuple[TestClient, Runtime]) -> None:
    client, _ = bot
    fields = {"AccountSid": "AC1", "Sid": "NOdeep", "Payload": DEEP_JSON}

    path, headers = signed_request("/twilio/debugger", urlencode(fields).encode(), FORM)
    response = client.post(path, data=fields, headers=headers)

    assert response.status_code in (200, 400)


def extreme_time(path: str, value: str) -> tuple[str, dict[str, Any]]:
    if path == "/twilio/event-streams":
        return path, {"id": f"EV-{value}", "time": value, "data": {"account_sid": "AC1"}}
    name = "Timestamp" if path == "/twilio/debugger" else "DateFired"
    return path, {"AccountSid": "AC1", "Sid": value, "UsageTriggerSid": "UT1", name: value}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param("/twilio/debugger", "0001-01-01T00:00:00+01:00", id="debugger-iso"),
        pytest.param(
            "/twilio/usage-triggers", "Fri, 31 Dec 9999 23:59:59 -0100", id="usage-rfc2822"
        ),
        pytest.param("/twilio/event-streams", "9999-12-31T23:59:59-01:00", id="event-stream-iso"),
    ],
)
def test_time_at_the_edge_of_the_calendar_is_not_a_500(
    bot: tuple[TestClient, Runtime], path: str, value: str
) -> None:
    client, _ = bot
    path, data = extreme_time(path, value)

    if path == "/twilio/event-streams":
        text = json.dumps(data).encode()
        url, headers = signed_request(path, text, JSON)
        response = client.post(url, content=text, headers={"Content-Type": JSON, **headers})
    else:
        url, headers = signed_request(path, urlencode(data).encode(), FORM)
        response = client.post(url, data=data, headers=headers)

    assert response.status_code in (200, 400)
