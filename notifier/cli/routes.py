"""`notifier routes test`: where an event would go and what would hold it back, sending nothing."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from notifier.app import Runtime
from notifier.cli.common import echo, settings_from_env
from notifier.cli.fields import parse_assignments
from notifier.enrich import enrich
from notifier.errors import UserError
from notifier.events import Event, parse_time
from notifier.ingest.sample_file import event_from_file
from notifier.pipeline.groups import Decision, group_key, on_event
from notifier.pipeline.memory import load_group
from notifier.pipeline.suppress import suppression
from notifier.rules.durations import format_duration
from notifier.rules.match import select_routes
from notifier.rules.model import Route, Rules
from notifier.store.engine import read_only
from notifier.store.events import get_event
from notifier.store.inhibit_marks import load_marks
from notifier.store.silences import active_silences


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "routes", help="test which routes an event takes", description="Inspect routing."
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    test = actions.add_parser(
        "test",
        help="show routes, receivers, group key and suppressions for an event, sending nothing",
        description=(
            "Give the event as FIELD=VALUE pairs (e.g. error_code=11200 level=error), or with "
            "--event as a file (a webhook body or `notifier events --json` entry) or a stored "
            "event id."
        ),
    )
    test.add_argument("fields", nargs="*", metavar="FIELD=VALUE")
    test.add_argument("--event", help="a file with a webhook body or event JSON, or an event id")
    test.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    runtime = Runtime.start(settings_from_env(), fetch_catalog=False)
    rules = runtime.rules.rules
    event = enrich(_event(args, runtime), runtime.catalog, rules.settings.accounts)
    now = datetime.now(UTC)
    routes = select_routes(rules, event.fields())
    if not routes:
        print("no route matches: the event would be recorded for digests, not alerted")
    for route in routes:
        for line in _describe(route, rules, event, runtime, now):
            echo(line)
    return 0


def _event(args: argparse.Namespace, runtime: Runtime) -> Event:
    if args.event and args.fields:
        raise UserError("give either FIELD=VALUE pairs or --event, not both")
    if args.event is None:
        fields: dict[str, Any] = parse_assignments(args.fields)
        fields.setdefault("source", "debugger")
        fields["time"] = parse_time(fields["time"]) if "time" in fields else datetime.now(UTC)
        if "http_status" in fields:
            fields["http_status"] = int(fields["http_status"])
        return Event(**fields)
    if args.event.isdigit():
        with read_only(runtime.engine).connect() as conn:
            stored = get_event(conn, int(args.event))
        if stored is None:
            raise UserError(f"no stored event with id {args.event}")
        return stored.event
    return event_from_file(Path(args.event))


def _describe(
    route: Route, rules: Rules, event: Event, runtime: Runtime, now: datetime
) -> list[str]:
    key = group_key(route, event)[0]
    with read_only(runtime.engine).connect() as conn:
        silences = active_silences(conn, now)
        marks = load_marks(conn)
        state = load_group(conn, key)
    # As if the event arrived now: silences and mute windows judge the processing time,
    # inhibition the time of receipt, never the event's own timestamp.
    held = suppression(route, rules, event.fields(), silences, marks, now=now, received_at=now)
    lines = [
        f"route {route.name!r}{' (continue)' if route.continue_ else ''}",
        f"  receivers:  {', '.join(route.timing.receivers) or '(none)'}",
        f"  group key:  {key}",
        f"  now:        {held.value if held else _verdict(on_event(state, route, event, now))}",
    ]
    if route.threshold:
        seen = len(state.recent) if state else 0
        lines.append(
            f"  threshold:  {route.threshold.count} within "
            f"{format_duration(route.threshold.within)}; {seen} recent event(s) in this group"
        )
    if state:
        lines.append(f"  group:      {state.phase.value}, {state.event_count} event(s) this cycle")
    return lines


def _verdict(decision: Decision) -> str:
    """What the group lifecycle would do with the event now, in the words of its reasons."""
    if decision.reason is not None:
        return f"would be alerted ({decision.reason.value.replace('_', ' ')})"
    if decision.held is not None:
        return f"held back: {decision.held.replace('_', ' ')}"
    return "counted into its group (the next update carries it)"
