"""Render the HTML part of a sample alert (or digest) email to PNG with headless Chromium.

    .venv/bin/python tools/email_screenshot.py [--digest] [--width 600] [--height 1400] OUT.png

The sample is built to look bad if the HTML is fragile: a URL and a payload too long for 600 px,
markup and control characters from Twilio. Needs Debian's `chromium`; the test suite does not.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from notifier.digest.build import CodeLine, DigestReport, FailedDelivery
from notifier.digest.email import render_digest_email
from notifier.events import Event
from notifier.notices import Notice, Reason
from notifier.render.context import RenderContext
from notifier.render.email import render_email

AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script> <!channel> & \x1b[31mred\x07 \u202eevil\u202c"
LONG_URL = "https://api.example.com/voice/" + "very-long-path-segment-" * 12 + "?token=" + "a" * 80
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
)  # fmt: skip


def sample_alert_html(level: str) -> str:
    payload = json.dumps({"body": "x" * 300, "note": HOSTILE, "url": LONG_URL}, indent=2)
    event = Event(
        source="debugger",
        time=AT,
        level=level,
        error_code="11200",
        error_message="HTTP retrieval failure",
        message=f"Got HTTP 502 from {LONG_URL} {HOSTILE}",
        account_sid="AC" + "a" * 32,
        resource_sid="CA" + "b" * 32,
        url=LONG_URL,
        method="POST",
        http_status=502,
        response_body=payload,
    )
    notice = Notice(
        "webhook-failures", "webhook-failures|11200", Reason.FIRST, event, 7, AT, AT, ()
    )
    return render_email(notice, RenderContext(accounts={"AC" + "a" * 32: "production"})).html


def sample_digest_html() -> str:
    code = CodeLine(
        "11200", 42, 10, AT, AT + timedelta(hours=3), True, "HTTP retrieval failure " + HOSTILE,
        "Programmable Voice", (("AC" + "a" * 32, 40),), ((LONG_URL, 12),),
    )  # fmt: skip
    failed = (FailedDelivery("webhook-failures", "ops", 3, "SMTP 554: " + HOSTILE),)
    report = DigestReport(
        "morning", AT, AT + timedelta(days=1), total=42, previous_total=10,
        by_level={"error": 40, "warning": 2}, by_source={"debugger": 42}, codes=(code,),
        new_codes=("11200",), failed=failed,
    )  # fmt: skip
    return render_digest_email(report, RenderContext()).html


def screenshot(html: str, out: Path, width: int, height: int) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("needs chromium (Debian: apt-get install -y chromium)")
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "email.html"
        page.write_text(html, encoding="utf-8")
        command = [
            chromium, *CHROMIUM_FLAGS, f"--user-data-dir={folder}/profile",
            f"--window-size={width},{height}", f"--screenshot={out.resolve()}", page.as_uri(),
        ]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--digest", action="store_true", help="a digest instead of an alert")
    parser.add_argument("--level", default="error", help="the alert's level (error, warning...)")
    parser.add_argument("--width", type=int, default=600)
    parser.add_argument("--height", type=int, default=1400)
    args = parser.parse_args()
    html = sample_digest_html() if args.digest else sample_alert_html(args.level)
    screenshot(html, args.out, args.width, args.height)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
