"""Delivery: from a claimed outbox row to a Slack, email or console message, read top-down.

loop.py (claim, plan, send, record) → plan.py (alone, or folded per lane) → render.py (pure)
→ channel.py (the one interface) → one module per kind: slack_api_channel.py,
slack_webhook_channel.py, email_channel.py, console_channel.py → pacing.py (a lane's turn) →
slack_web_api.py / smtp.py (the calls) → classify.py (the one place that turns answers into
outcome.py's Sent, Retry or Failed) → record.py (what an outcome does to the rows).
directory.py builds each receiver's channels once per rules load; transports.py holds what
they share (HTTP session, pacer, message_refs.py).
"""

from notifier.delivery.loop import Deliverer

__all__ = ["Deliverer"]
