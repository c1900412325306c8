"""A fake Slack (Web API and incoming webhooks) on a real loopback port, for sync and async tests.

It answers as Slack documents, refusals included: a test against it proves something only where
it is as strict as Slack. Each behaviour names its source. The server runs its own event loop in
a background thread, so a test can drive it from plain code or from inside `asyncio.run(...)`.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# The scopes slack-app.yaml asks for: post, look channels up, read history
# (https://api.slack.com/scopes).
DEFAULT_SCOPES = frozenset(
    {"chat:write", "channels:read", "groups:read", "channels:history", "groups:history"}
)
# The bot user auth.test names (https://api.slack.com/methods/auth.test: "user").
BOT_USER = "alertbot"
# conversations.info and .list need the read scope of the conversation's kind
# (https://api.slack.com/methods/conversations.info, .../conversations.list).
_READ_SCOPE = {False: "channels:read", True: "groups:read"}
# https://api.slack.com/methods/conversations.history: "channels:history, groups:history, ..."
_HISTORY_SCOPES = ("channels:history", "groups:history")
# Conversation IDs: C (public), G (private), D (direct); https://api.slack.com/types/conversation
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{8,}$")
_TS = re.compile(r"^\d{10}\.\d{6}$")

# https://api.slack.com/reference/block-kit/blocks and .../block-elements#button
MAX_BLOCKS, MAX_HEADER, MAX_SECTION, MAX_FIELDS, MAX_FIELD = 50, 150, 3000, 10, 2000
MAX_ELEMENTS, MAX_BUTTON_TEXT, MAX_BUTTON_URL, MAX_CONTEXT = 25, 75, 3000, 10
# https://api.slack.com/reference/block-kit/block-elements#button: value 2000, action_id 255
# ("unique among all other action_ids in the containing block"); block_id 255.
MAX_BUTTON_VALUE, MAX_ACTION_ID = 2000, 255
# https://api.slack.com/methods/chat.postMessage#truncating: "msg_too_long" past 40,000.
MAX_TEXT = 40_000


def block_kit_errors(payload: dict[str, Any]) -> list[str]:
    """Every documented Block Kit limit `payload` breaks; Slack answers `invalid_blocks` to any."""
    blocks = payload.get("blocks") or []
    errors = [f"{len(blocks)} blocks > {MAX_BLOCKS}"] if len(blocks) > MAX_BLOCKS else []
    for n, block in enumerate(blocks):
        errors += [f"block {n}: {error}" for error in _block_errors(block)]
    return errors


def _block_errors(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return _text_errors(block.get("text"), MAX_HEADER, "header")
    if kind == "section":
        fields = block.get("fields") or []
        errors = [] if "text" in block or fields else ["section without text or fields"]
        if "text" in block:
            errors += _text_errors(block["text"], MAX_SECTION, "section")
        if len(fields) > MAX_FIELDS:
            errors.append(f"{len(fields)} fields > {MAX_FIELDS}")
        return errors + [e for f in fields for e in _text_errors(f, MAX_FIELD, "field")]
    if kind == "actions":
        return _actions_errors(block.get("elements") or [])
    if kind == "context":
        elements = block.get("elements") or []
        errors = [] if 0 < len(elements) <= MAX_CONTEXT else [f"context: {len(elements)} elements"]
        return errors + [e for item in elements for e in _text_errors(item, MAX_SECTION, "ctx")]
    return [f"unknown block type {kind!r}"]


def _actions_errors(elements: list[dict[str, Any]]) -> list[str]:
    errors = [] if 0 < len(elements) <= MAX_ELEMENTS else [f"actions: {len(elements)} elements"]
    for button in elements:
        errors += _text_errors(button.get("text"), MAX_BUTTON_TEXT, "button")
        if len(str(button.get("url", ""))) > MAX_BUTTON_URL:
            errors.append(f"button url of {len(button['url'])} > {MAX_BUTTON_URL}")
        if len(str(button.get("value", ""))) > MAX_BUTTON_VALUE:
            errors.append(f"button value of {len(button['value'])} > {MAX_BUTTON_VALUE}")
        if len(str(button.get("action_id", ""))) > MAX_ACTION_ID:
            errors.append(f"action_id of {len(button['action_id'])} > {MAX_ACTION_ID}")
    ids = [button["action_id"] for button in elements if "action_id" in button]
    if len(ids) != len(set(ids)):
        errors.append(f"action_ids repeated in one block: {ids}")
    return errors


def _text_errors(text: Any, limit: int, where: str) -> list[str]:
    value = text.get("text") if isinstance(text, dict) else None
    if not isinstance(value, str) or not value:
        return [f"{where}: no text"]
    return [f"{where}: text of {len(value)} > {limit}"] if len(value) > limit else []


def channel_id(name: str) -> str:
    """The ID the fake gives a channel name, e.g. "C1A2B3C4D5" for "#alerts"."""
    if _CHANNEL_ID.match(name):
        return name
    return "C" + hashlib.sha256(name.lstrip("#").encode()).hexdigest()[:10].upper()


@dataclass(frozen=True)
class Recorded:
    path: str
    token: str | None
    body: dict[str, Any]
    arrived: float  # time.monotonic()
    status: int


@dataclass(frozen=True)
class FakeChannel:
    """A conversation the workspace has (see `FakeSlack.add_channel`)."""

    id: str
    name: str
    member: bool = True
    private: bool = False
    archived: bool = False

    def as_object(self) -> dict[str, Any]:
        """As conversations.info and .list show it (https://api.slack.com/types/conversation)."""
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.private,
            "is_private": self.private,
            "is_archived": self.archived,
            "is_member": self.member,
        }


@dataclass
class _Failure:
    remaining: int
    status: int
    body: str | None


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[Recorded] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    failure: _Failure | None = None
    limited_until: dict[str | None, float] = field(default_factory=dict)
    error: str | None = None
    last_ts: int = 0  # microseconds
    hanging: bool = False
    response_urls: dict[str, _ResponseUrl] = field(default_factory=dict)
    responses: list[dict[str, Any]] = field(default_factory=list)
    user_groups: dict[str, list[str]] = field(default_factory=dict)
    channels: dict[str, FakeChannel] = field(default_factory=dict)  # by ID


@dataclass
class _ResponseUrl:
    created: float  # time.monotonic()
    uses: int = 0
    message: tuple[str, str] | None = None  # (channel ID, ts) of the message it answers for


class FakeSlack:
    """`with FakeSlack() as slack:` gives `slack.api_url` and `slack.webhook_url(id)`."""

    def __init__(
        self, token: str = "xoxb-fake-token", scopes: frozenset[str] = DEFAULT_SCOPES
    ) -> None:
        self.token = token
        self.scopes = scopes
        self._state = _State()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._released: asyncio.Event | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> FakeSlack:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=5)
        return self

    def __exit__(self, *exc: object) -> None:
        self.hang(False)
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    async def _start(self) -> None:
        self._released = asyncio.Event()
        app = web.Application()
        # slack_sdk sends conversations.history as a GET with query parameters.
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/webhook/{id}", self._webhook)
        app.router.add_post("/response/{id}", self._respond)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def webhook_url(self, hook_id: str = "T000/B000/XXXX") -> str:
        return f"http://127.0.0.1:{self.port}/webhook/{hook_id.replace('/', '-')}"

    # -- programmable behaviour --------------------------------------------------------------

    def fail_next(self, n: int, status: int = 500, body: str | None = None) -> None:
        """The next `n` requests get `status` (with `body` as plain text, if given)."""
        with self._state.lock:
            self._state.failure = _Failure(n, status, body)

    def rate_limit(self, seconds: float, channel: str | None = None) -> None:
        """429 with Retry-After for `channel` (or every channel) until `seconds` have passed."""
        with self._state.lock:
            self._state.limited_until[channel] = time.monotonic() + seconds

    def error(self, name: str | None) -> None:
        """Every Web API call answers `ok: false, error: name` until `error(None)`."""
        with self._state.lock:
            self._state.error = name

    def hang(self, hanging: bool = True) -> None:
        """Every request from now on waits, unanswered, until `hang(False)` (a Slack outage
        that accepts connections and never answers)."""
        with self._state.lock:
            self._state.hanging = hanging
        if not hanging and self._released is not None:
            self._loop.call_soon_threadsafe(self._released.set)

    def channel_id(self, name: str) -> str:
        return channel_id(name)

    def response_url(self, message: dict[str, Any] | None = None) -> str:
        """A fresh `response_url`, as Slack puts in an interaction payload, for `message` (one
        of `messages`: `replace_original` then edits it)."""
        url_id = f"R{len(self._state.response_urls):06d}"
        where = (message["channel_id"], message["ts"]) if message else None
        with self._state.lock:
            self._state.response_urls[url_id] = _ResponseUrl(time.monotonic(), 0, where)
        return f"http://127.0.0.1:{self.port}/response/{url_id}"

    def age_response_urls(self, seconds: float) -> None:
        """Every response_url made so far is `seconds` older (past 30 minutes it is dead)."""
        with self._state.lock:
            for url in self._state.response_urls.values():
                url.created -= seconds

    def set_user_groups(self, groups: dict[str, list[str]]) -> None:
        """The workspace's user groups (ID: member user IDs), for usergroups.users.list."""
        with self._state.lock:
            self._state.user_groups = dict(groups)

    @property
    def responses(self) -> list[dict[str, Any]]:
        """Bodies posted to response_urls (accepted ones), each with its `url_id`."""
        with self._state.lock:
            return list(self._state.responses)

    def add_channel(
        self, name: str, *, member: bool = True, private: bool = False, archived: bool = False
    ) -> None:
        """A channel conversations.info and .list know; posts to it need the bot a member
        (or chat:write.public for a public one). Channels never added accept every post."""
        fake = FakeChannel(channel_id(name), name.lstrip("#"), member, private, archived)
        with self._state.lock:
            self._state.channels[fake.id] = fake

    # -- what happened -----------------------------------------------------------------------

    @property
    def requests(self) -> list[Recorded]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Posted messages: the body as sent (its `channel` as given), with `ts`, `thread_ts`,
        `channel_id` and `orphaned` (a reply to a ts Slack did not know)."""
        with self._state.lock:
            return list(self._state.messages)

    @property
    def updates(self) -> list[dict[str, Any]]:
        with self._state.lock:
            return list(self._state.updates)

    # -- handlers ----------------------------------------------------------------------------

    async def _wait_while_hanging(self) -> None:
        with self._state.lock:
            hanging = self._state.hanging
        if hanging and self._released is not None:
            self._released.clear()
            await self._released.wait()

    async def _api(self, request: web.Request) -> web.Response:
        await self._wait_while_hanging()
        body = {**request.query, **await _body(request)}
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or None
        with self._state.lock:
            response = self._answer_api(request.match_info["method"], token, body)
            self._record(request.path, token, body, response.status)
        if token == self.token:
            # Every Web API answer lists the token's scopes in this header
            # (https://api.slack.com/legacy/oauth-scopes, "Working with scopes").
            response.headers["X-OAuth-Scopes"] = ",".join(sorted(self.scopes))
        return response

    def _answer_api(self, method: str, token: str | None, body: dict[str, Any]) -> web.Response:
        refused = self._refusal(body.get("channel"))
        if refused is not None:
            return refused
        if token != self.token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self._state.error:
            return web.json_response({"ok": False, "error": self._state.error})
        if method == "auth.test":
            return web.json_response(
                {"ok": True, "user_id": "UFAKE", "user": BOT_USER, "team": "fake"}
            )
        handler = {
            "chat.postMessage": self._post,
            "chat.update": self._update,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "usergroups.users.list": self._usergroup_members,
            "conversations.info": self._info,
            "conversations.list": self._list,
        }.get(method)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        return web.json_response(handler(body))

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        refused = _content_refusal(body) or self._post_refusal(channel_id(str(body.get("channel"))))
        if refused is not None:
            return refused
        channel = channel_id(str(body.get("channel", "")))
        thread_ts = body.get("thread_ts")
        if thread_ts is not None and not _TS.match(str(thread_ts)):
            # As Slack answers a malformed thread_ts ("0 is not a valid thread_ts").
            return {"ok": False, "error": "invalid_thread_ts"}
        # A well-formed but unknown thread_ts is accepted and the reply is seen nowhere in the
        # channel (slackapi/python-slack-sdk#840): recorded as orphaned, left out of history.
        orphaned = thread_ts is not None and self._find(channel, str(thread_ts)) is None
        ts = self._next_ts()
        message = {**body, "ts": ts, "thread_ts": thread_ts, "channel_id": channel}
        self._state.messages.append({**message, "orphaned": orphaned})
        # https://api.slack.com/methods/chat.postMessage: `channel` in the answer is the ID.
        return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}

    def _update(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel", ""))
        if not _CHANNEL_ID.match(channel):
            # chat.update takes only a channel ID (slackapi/python-slack-sdk#696).
            return {"ok": False, "error": "channel_not_found"}
        if self._find(channel, str(body.get("ts"))) is None:
            # https://api.slack.com/methods/chat.update#errors: no such message in the channel.
            return {"ok": False, "error": "message_not_found"}
        refused = _content_refusal(body)
        if refused is not None:
            return refused
        self._state.updates.append(body)
        return {"ok": True, "channel": channel, "ts": body.get("ts")}

    def _history(self, body: dict[str, Any]) -> dict[str, Any]:
        """https://api.slack.com/methods/conversations.history: the channel's messages (not
        thread replies), newest first, after `oldest`."""
        refused = self._read_refusal(body)
        if refused is not None:
            return refused
        return self._listing(
            body,
            reversed(self._state.messages),
            lambda m: m["thread_ts"] is None or m["thread_ts"] == m["ts"],
        )

    def _replies(self, body: dict[str, Any]) -> dict[str, Any]:
        """https://api.slack.com/methods/conversations.replies: the parent, then its replies,
        oldest first; `thread_not_found` for a ts the channel does not have."""
        refused = self._read_refusal(body)
        if refused is not None:
            return refused
        parent = str(body.get("ts"))
        if self._find(str(body["channel"]), parent) is None:
            return {"ok": False, "error": "thread_not_found"}
        return self._listing(
            body, self._state.messages, lambda m: parent in (m["ts"], m["thread_ts"])
        )

    def _usergroup_members(self, body: dict[str, Any]) -> dict[str, Any]:
        """https://api.slack.com/methods/usergroups.users.list: needs usergroups:read; an unknown
        group is `no_such_subteam`."""
        if "usergroups:read" not in self.scopes:
            return self._missing("usergroups:read")
        members = self._state.user_groups.get(str(body.get("usergroup", "")))
        if members is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": members}

    async def _respond(self, request: web.Request) -> web.Response:
        """A response_url (https://api.slack.com/interactivity/handling#message_responses):
        JSON; "up to 5 times within 30 minutes", then 404; `replace_original` edits the message
        the interaction came from, otherwise a new message, ephemeral unless `response_type` is
        `in_channel`; a message needs `text` or `blocks`."""
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="invalid_payload")
        url_id = request.match_info["id"]
        with self._state.lock:
            url = self._state.response_urls.get(url_id)
            if url is None or url.uses >= 5 or time.monotonic() - url.created > 30 * 60:
                return web.Response(status=404, text="expired_url")
            if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
                return web.Response(status=400, text="no_text")
            if block_kit_errors(body):
                return web.Response(status=400, text="invalid_blocks")
            url.uses += 1
            self._state.responses.append({**body, "url_id": url_id})
            if body.get("replace_original") in (True, "true") and url.message is not None:
                self._replace(url.message, body)
        return web.Response(text="ok")

    def _replace(self, where: tuple[str, str], body: dict[str, Any]) -> None:
        found = self._find(*where)
        if found is not None:
            found.update(text=body.get("text", ""), blocks=body.get("blocks"))
            self._state.updates.append({"channel": where[0], "ts": where[1], **body})

    def _post_refusal(self, channel: str) -> dict[str, Any] | None:
        """https://api.slack.com/methods/chat.postMessage#errors: no chat:write scope, or a
        known channel the bot is not in, unless chat:write.public lets it post to a public one."""
        if "chat:write" not in self.scopes:
            return self._missing("chat:write")
        known = self._state.channels.get(channel)
        if known is None or known.member:
            return None
        if known.archived:
            return {"ok": False, "error": "is_archived"}
        if not known.private and "chat:write.public" in self.scopes:
            return None
        return {"ok": False, "error": "not_in_channel"}

    def _info(self, body: dict[str, Any]) -> dict[str, Any]:
        """https://api.slack.com/methods/conversations.info: an ID only (a name is not found);
        a private channel is invisible to a bot outside it."""
        known = self._state.channels.get(str(body.get("channel", "")))
        if known is None or (known.private and not known.member):
            scope = _READ_SCOPE[False]
            if scope not in self.scopes:
                return self._missing(scope)
            return {"ok": False, "error": "channel_not_found"}
        if _READ_SCOPE[known.private] not in self.scopes:
            return self._missing(_READ_SCOPE[known.private])
        return {"ok": True, "channel": known.as_object()}

    def _list(self, body: dict[str, Any]) -> dict[str, Any]:
        """https://api.slack.com/methods/conversations.list: the public channels, and the
        private ones the bot is in, of the kinds asked for; one page here (no next_cursor)."""
        types = str(body.get("types") or "public_channel").split(",")
        private = {"public_channel": False, "private_channel": True}
        kinds = [private[t] for t in types if t in private]
        for kind in kinds:
            if _READ_SCOPE[kind] not in self.scopes:
                return self._missing(_READ_SCOPE[kind])
        shown = [
            c.as_object()
            for c in self._state.channels.values()
            if c.private in kinds and (c.member or not c.private)
        ]
        return {"ok": True, "channels": shown, "response_metadata": {"next_cursor": ""}}

    def _missing(self, needed: str) -> dict[str, Any]:
        # Slack names the scope needed and those the token has (https://api.slack.com/web#errors).
        provided = ",".join(sorted(self.scopes))
        return {"ok": False, "error": "missing_scope", "needed": needed, "provided": provided}

    def _read_refusal(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """Reading history needs a history scope and a channel ID, not a name."""
        if not self.scopes.intersection(_HISTORY_SCOPES):
            provided = ",".join(sorted(self.scopes))
            needed = ",".join(_HISTORY_SCOPES)
            return {"ok": False, "error": "missing_scope", "needed": needed, "provided": provided}
        if not _CHANNEL_ID.match(str(body.get("channel", ""))):
            return {"ok": False, "error": "channel_not_found"}
        return None

    def _listing(
        self,
        body: dict[str, Any],
        messages: Iterable[dict[str, Any]],
        shown: Callable[[dict[str, Any]], bool],
    ) -> dict[str, Any]:
        """Messages of the channel after `oldest`, up to `limit`; their metadata only with
        include_all_metadata (https://api.slack.com/metadata/using)."""
        channel, oldest = body["channel"], float(body.get("oldest") or 0)
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [
            _as_history(message, with_metadata)
            for message in messages
            if message["channel_id"] == channel
            and not message["orphaned"]
            and float(message["ts"]) > oldest
            and shown(message)
        ]
        limit = int(body.get("limit") or 100)
        return {"ok": True, "messages": found[:limit], "has_more": len(found) > limit}

    def _find(self, channel: str, ts: str) -> dict[str, Any] | None:
        matches = (m for m in self._state.messages if m["channel_id"] == channel and m["ts"] == ts)
        return next(matches, None)

    def _next_ts(self) -> str:
        """A message's ts is the time it was posted, unique within the channel (here: all)."""
        now = max(int(time.time() * 1_000_000), self._state.last_ts + 100)
        self._state.last_ts = now
        return f"{now // 1_000_000}.{now % 1_000_000:06d}"

    async def _webhook(self, request: web.Request) -> web.Response:
        await self._wait_while_hanging()
        body = await _body(request)
        channel = f"webhook:{request.match_info['id']}"
        with self._state.lock:
            response = self._refusal(channel) or _webhook_refusal(body) or web.Response(text="ok")
            if response.status == 200:
                message = {**body, "channel": channel, "channel_id": channel, "ts": None}
                self._state.messages.append({**message, "thread_ts": None, "orphaned": False})
            self._record(request.path, None, body, response.status)
        return response

    def _refusal(self, channel: str | None) -> web.Response | None:
        """A programmed failure or rate limit for this request, if any (lock held)."""
        failure = self._state.failure
        if failure is not None and failure.remaining > 0:
            failure.remaining -= 1
            text = failure.body if failure.body is not None else "<html>server error</html>"
            return web.Response(status=failure.status, text=text)
        remaining = self._limited_for(channel)
        if remaining > 0:
            limited = {"ok": False, "error": "ratelimited"}
            headers = {"Retry-After": str(math.ceil(remaining))}
            return web.json_response(limited, status=429, headers=headers)
        return None

    def _limited_for(self, channel: str | None) -> float:
        now = time.monotonic()
        until = max(self._state.limited_until.get(k, 0.0) for k in (channel, None))
        return until - now

    def _record(self, path: str, token: str | None, body: dict[str, Any], status: int) -> None:
        self._state.requests.append(Recorded(path, token, body, time.monotonic(), status))


def _content_refusal(body: dict[str, Any]) -> dict[str, Any] | None:
    """Slack's answer to a message over its limits (HTTP 200, `ok: false`), if it is."""
    if len(str(body.get("text") or "")) > MAX_TEXT:
        return {"ok": False, "error": "msg_too_long"}
    if block_kit_errors(body):
        return {"ok": False, "error": "invalid_blocks"}
    return None


def _webhook_refusal(body: dict[str, Any]) -> web.Response | None:
    # https://api.slack.com/messaging/webhooks#handling_errors: HTTP 400 and the error word.
    if block_kit_errors(body):
        return web.Response(status=400, text="invalid_blocks")
    return None


def _as_history(message: dict[str, Any], with_metadata: bool) -> dict[str, Any]:
    shown = {"type": "message", "ts": message["ts"], "text": message.get("text", "")}
    if with_metadata and message.get("metadata"):
        shown["metadata"] = message["metadata"]
    return shown


async def _body(request: web.Request) -> dict[str, Any]:
    if request.method == "GET" or not request.can_read_body:
        return {}
    if request.content_type == "application/json":
        data = await request.json()
        return data if isinstance(data, dict) else {"payload": data}
    form = await request.post()
    return {key: str(value) for key, value in form.items()}
