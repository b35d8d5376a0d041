"""Adding up the report queries' group counts: per deciding agency, field or procedure, and in total."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields, replace

from counter_app.services.reports.report_views import BreakdownRow
from counter_app.storage.report_queries import GroupCounts

COUNTERS = tuple(f.name for f in fields(GroupCounts) if f.name != "key")


def add_groups(a: GroupCounts, b: GroupCounts) -> GroupCounts:
    return replace(a, **{name: getattr(a, name) + getattr(b, name) for name in COUNTERS})


def breakdown(groups: Iterable[GroupCounts], key: Callable[[GroupCounts], tuple[str, str]]) -> tuple[BreakdownRow, ...]:
    """Group rows added up by `key` (code, name), largest intake first."""
    merged: dict[tuple[str, str], GroupCounts] = {}
    for group in groups:
        k = key(group)
        merged[k] = add_groups(merged[k], group) if k in merged else group
    rows = [
        BreakdownRow(key=k[0], name=k[1], **{name: getattr(g, name) for name in COUNTERS}) for k, g in merged.items()
    ]
    rows.sort(key=lambda r: (-r.received, -r.resolved, r.name, r.key))
    return tuple(rows)


def group_total(groups: Iterable[GroupCounts], name: str) -> int:
    return sum(getattr(g, name) for g in groups)
