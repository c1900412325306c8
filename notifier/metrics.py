"""Prometheus metrics of one process, in a registry of its own (one per app)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.events_received = Counter(
            "notifier_events_received",
            "Events stored for the first time, by source.",
            ["source"],
            registry=self.registry,
        )
        self.events_duplicate = Counter(
            "notifier_events_duplicate",
            "Redeliveries of events already stored, by source.",
            ["source"],
            registry=self.registry,
        )
        self.events_rejected = Counter(
            "notifier_events_rejected",
            "Requests refused, by source and reason (signature, size, content_type, invalid).",
            ["source", "reason"],
            registry=self.registry,
        )
        self.notifications = Counter(
            "notifier_notifications",
            "Deliveries by receiver and status (sent, folded, retry, failed, suppressed).",
            ["receiver", "status"],
            registry=self.registry,
        )
        self.event_outcomes = Counter(
            "notifier_event_outcomes",
            "What became of events, by route (empty when unmatched) and outcome (alerted, "
            "unmatched, dropped, silenced, inhibited, muted, below_threshold).",
            ["route", "outcome"],
            registry=self.registry,
        )
        self.queue_pending = Gauge(
            "notifier_queue_pending_events",
            "Stored events the worker has not processed yet.",
            registry=self.registry,
        )
        self.queue_lag = Gauge(
            "notifier_queue_lag_seconds",
            "Age of the oldest stored event the worker has not processed yet.",
            registry=self.registry,
        )
        self.slack_rejected = Counter(
            "notifier_slack_requests_rejected",
            "Requests to /slack/actions and /slack/commands refused, by endpoint and reason "
            "(unsigned, stale, signature, replay, too_large, malformed).",
            ["endpoint", "reason"],
            registry=self.registry,
        )
        self.slack_actions = Counter(
            "notifier_slack_actions",
            "Actions taken from Slack, by action and result (done, refused, failed).",
            ["action", "result"],
            registry=self.registry,
        )
