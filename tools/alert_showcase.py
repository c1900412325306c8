"""Print what Slack receives for one 11200 group: the first notice, its update, its resolved reply.

    .venv/bin/python tools/alert_showcase.py [--compact] [--email-html F.html] [--email-png F.png]

The real renderers, the bundled catalog and the enrichment the worker applies; times in
Europe/Berlin. `--email-png` draws the first notice's email with headless Chromium
(tools/email_screenshot.py).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from notifier.enrich import enrich
from notifier.events import Event
from notifier.notices import Notice, Reason
from notifier.render.block_kit import render_slack, thread_reply
from notifier.render.context import RenderContext
from notifier.render.email import render_email
from notifier.twilio.catalog import bundled_catalog
from notifier.twilio.sids import resource_type

AT = datetime(2026, 3, 10, 2, 4, 31, tzinfo=UTC)
ACCOUNT = "AC" + "3f" * 16
ACCOUNTS = {ACCOUNT: "production"}
CTX = RenderContext(ZoneInfo("Europe/Berlin"), ACCOUNTS)
URL = "https://api.example.com/twilio/voice/incoming"


def showcase_event() -> Event:
    call = "CA" + "9c" * 16
    event = Event(
        source="debugger",
        time=AT,
        error_code="11200",
        message=f"An attempt to retrieve content from {URL} returned the HTTP status code 502",
        event_sid="NO" + "5e" * 16,
        account_sid=ACCOUNT,
        resource_sid=call,
        resource_type=resource_type(call),
        url=URL,
        method="POST",
        http_status=502,
        response_body="<html><body><h1>502 Bad Gateway</h1></body></html>",
    )
    return enrich(event, bundled_catalog(), ACCOUNTS)


def showcase_notices() -> dict[str, Notice]:
    """The group's first notice, the in-place update four minutes on, and its resolution."""
    first = Notice("webhook-failures", "webhook-failures|11200|" + ACCOUNT, Reason.FIRST,
                   showcase_event(), 1, AT, AT, ("ops",))  # fmt: skip
    last = AT + timedelta(minutes=4, seconds=12)
    update = replace(first, reason=Reason.NEW_IN_GROUP, count=7, last_seen=last,
                     new_count=6, since=AT)  # fmt: skip
    resolved = replace(update, reason=Reason.RESOLVED, new_count=0, since=None)
    return {"first": first, "update": update, "resolved": resolved}


def slack_payloads() -> dict[str, dict[str, Any]]:
    """As the Slack channel sends them: a post, a chat.update, and a reply in the thread."""
    notices = showcase_notices()
    return {
        "first (chat.postMessage)": render_slack(notices["first"], CTX),
        "update (chat.update of the first message)": render_slack(notices["update"], CTX),
        "resolved (reply in its thread)": thread_reply(render_slack(notices["resolved"], CTX)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compact", action="store_true", help="one line of JSON per message")
    parser.add_argument("--email-html", type=Path, help="write the first notice's email HTML")
    parser.add_argument("--email-png", type=Path, help="draw the first notice's email (chromium)")
    args = parser.parse_args()
    for name, payload in slack_payloads().items():
        indent = None if args.compact else 2
        print(f"# {name}\n{json.dumps(payload, indent=indent, ensure_ascii=False)}")
    html = render_email(showcase_notices()["first"], CTX, "[twilio]").html
    if args.email_html:
        args.email_html.write_text(html, encoding="utf-8")
    if args.email_png:
        from email_screenshot import screenshot  # tools/ is this script's folder

        screenshot(html, args.email_png, 640, 1500)


if __name__ == "__main__":
    main()
