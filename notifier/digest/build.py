"""A digest's content for one period, computed with aggregate queries into plain data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from notifier.pipeline.suppress import Outcome
from notifier.rules.model import Digest
from notifier.store import digests as queries
from notifier.twilio.catalog import Catalog

SUPPRESSED = (
    Outcome.DROPPED,
    Outcome.SILENCED,
    Outcome.INHIBITED,
    Outcome.MUTED,
    Outcome.BELOW_THRESHOLD,
)
TOP_CODES = 10
TOP_VALUES = 3
FIRED_SHOWN = 20


@dataclass(frozen=True, slots=True)
class CodeLine:
    code: str
    count: int
    previous: int
    first_seen: datetime
    last_seen: datetime
    new: bool
    message: str | None = None
    product: str | None = None
    top_accounts: tuple[tuple[str, int], ...] = ()
    top_resources: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Fired:
    source: str
    time: datetime
    account_sid: str | None
    name: str | None  # usage category or alarm name
    trigger_value: str | None
    current_value: str | None


@dataclass(frozen=True, slots=True)
class FailedDelivery:
    route: str
    receiver: str
    count: int
    last_error: str | None


@dataclass(frozen=True)
class DigestReport:
    """Everything a digest says about one period; rendering needs nothing else."""

    name: str
    start: datetime
    end: datetime
    late: bool = False
    total: int = 0
    previous_total: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    codes: tuple[CodeLine, ...] = ()
    more_codes: int = 0  # codes beyond the ones listed
    new_codes: tuple[str, ...] = ()
    routes: dict[str, dict[str, int]] = field(default_factory=dict)  # route -> outcome -> n
    suppressed: dict[str, int] = field(default_factory=dict)
    unmatched: int = 0
    fired_total: int = 0
    fired: tuple[Fired, ...] = ()
    failed: tuple[FailedDelivery, ...] = ()

    @property
    def quiet(self) -> bool:
        return self.total == 0 and not self.failed


def build_report(
    conn: Connection,
    digest: Digest,
    start: datetime,
    end: datetime,
    catalog: Catalog,
    *,
    late: bool = False,
) -> DigestReport:
    """The digest of events received in [start, end) within the digest's scope."""
    scope = digest.matcher
    queries.scope_clause(scope)  # a scope SQL cannot express fails here, naming the field
    queries.prepare(conn)
    window = queries.Window(start, end, scope)
    previous = queries.Window(start - (end - start), start, scope)
    now = _Counts.of(queries.key_counts(conn, window))
    before = _Counts.of(queries.key_counts(conn, previous))
    routes, suppressed, unmatched = _outcomes(queries.outcome_counts(conn, window))
    fired_total = sum(now.sources[source] for source in queries.FIRED_SOURCES)
    fired = queries.fired(conn, window, FIRED_SHOWN) if fired_total else []
    codes = now.ranked_codes()
    new = set(codes) - queries.seen_before(conn, window, codes)
    return DigestReport(
        name=digest.name,
        start=start,
        end=end,
        late=late,
        total=now.total,
        previous_total=before.total,
        by_level=dict(now.levels.most_common()),
        by_source=dict(now.sources.most_common()),
        codes=_code_lines(conn, window, codes[:TOP_CODES], now, before, new, catalog),
        more_codes=max(len(codes) - TOP_CODES, 0),
        new_codes=tuple(sorted(new)),
        routes=routes,
        suppressed=suppressed,
        unmatched=unmatched,
        fired_total=fired_total,
        fired=tuple(_fired(time, data) for time, data in fired),
        failed=tuple(FailedDelivery(*row) for row in queries.failed_deliveries(conn, start, end)),
    )


@dataclass
class _Counts:
    """A window's events counted by level, source, code, and account within each code."""

    total: int = 0
    levels: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    accounts: dict[str, Counter[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: list[tuple[queries.Key, int]]) -> _Counts:
        counts = cls()
        for (source, level, code, account), count in rows:
            counts.total += count
            counts.levels[level] += count
            counts.sources[source] += count
            if code is None:
                continue
            counts.codes[code] += count
            if account is not None:
                counts.accounts.setdefault(code, Counter())[account] += count
        return counts

    def ranked_codes(self) -> list[str]:
        """Most frequent first, ties by code."""
        return sorted(self.codes, key=lambda code: (-self.codes[code], code))

    def top_accounts(self, code: str) -> tuple[tuple[str, int], ...]:
        accounts = self.accounts.get(code, Counter())
        return tuple(sorted(accounts.items(), key=lambda item: (-item[1], item[0]))[:TOP_VALUES])


def _code_lines(
    conn: Connection,
    window: queries.Window,
    shown: list[str],
    now: _Counts,
    before: _Counts,
    new: set[str],
    catalog: Catalog,
) -> tuple[CodeLine, ...]:
    """The codes shown (the most frequent); only they pay for first/last seen and top
    resources."""
    lines = []
    for code in shown:
        known = catalog.lookup(code)
        first, last = queries.seen_span(conn, window, code)
        resources = queries.top_resources(conn, window, code, TOP_VALUES)
        lines.append(
            CodeLine(
                code=code,
                count=now.codes[code],
                previous=before.codes[code],
                first_seen=first,
                last_seen=last,
                new=code in new,
                message=known.message if known else None,
                product=known.product if known else None,
                top_accounts=now.top_accounts(code),
                top_resources=tuple(resources),
            )
        )
    return tuple(lines)


def _outcomes(
    rows: list[tuple[str | None, str, int]],
) -> tuple[dict[str, dict[str, int]], dict[str, int], int]:
    routes: dict[str, dict[str, int]] = {}
    suppressed: dict[str, int] = dict.fromkeys(SUPPRESSED, 0)
    unmatched = 0
    for route, stored, count in rows:
        outcome = Outcome(stored)
        if outcome is Outcome.UNMATCHED or route is None:
            unmatched += count
            continue
        routes.setdefault(route, {})[outcome] = routes.get(route, {}).get(outcome, 0) + count
        if outcome in suppressed:
            suppressed[outcome] += count
    return dict(sorted(routes.items())), suppressed, unmatched


def _fired(time: datetime, data: dict[str, Any]) -> Fired:
    return Fired(
        source=data.get("source", ""),
        time=time,
        account_sid=data.get("account_sid"),
        name=data.get("usage_category") or data.get("message"),
        trigger_value=data.get("trigger_value"),
        current_value=data.get("current_value"),
    )
