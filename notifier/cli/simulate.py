"""`notifier simulate KIND`: send a correctly signed sample webhook to a running bot."""

from __future__ import annotations

import argparse
import urllib.error
import urllib.request
from typing import Any

from notifier.cli.common import settings_from_env
from notifier.errors import UserError
from notifier.simulate import KINDS, sample
from notifier.twilio.signature import sign


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="send a signed sample webhook to a running bot",
        description=(
            "Send a sample Twilio webhook, signed with the first TWILIO_AUTH_TOKEN for the URL "
            "it posts to, and print the bot's answer."
        ),
    )
    parser.add_argument("kind", choices=KINDS, help="which Twilio webhook to imitate")
    parser.add_argument("--code", help="the Twilio error code to report (default 11200)")
    parser.add_argument(
        "--url",
        help="the bot's base URL (default $PUBLIC_URL, else http://127.0.0.1:$PORT)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    base = (args.url or settings.public_url or f"http://127.0.0.1:{settings.port}").rstrip("/")
    request = sample(args.kind, args.code)
    url = base + request.path
    headers = {"Content-Type": request.content_type}
    if settings.auth_tokens:
        signed = request.form if request.form is not None else request.body
        headers["X-Twilio-Signature"] = sign(settings.auth_tokens[0], url, signed)
    else:
        print("note: TWILIO_AUTH_TOKEN is not set, sending unsigned")
    http_request = urllib.request.Request(
        url, data=request.body.encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(http_request, timeout=10) as response:
            print(f"{response.status} {response.read().decode(errors='replace').strip()}")
            return 0
    except urllib.error.HTTPError as error:
        print(f"{error.code} {error.read().decode(errors='replace').strip()}")
        return 1
    except OSError as error:
        raise UserError(f"cannot reach the bot at {base}: {error}") from None
