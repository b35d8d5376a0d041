"""Timings of the reports over an existing database: statistics, the tracking book and the spreadsheet exports.

`bench_reports(db_path)` returns (name, seconds) pairs; scripts/bench.py calls it on its demo database. Run alone:
`python -m scripts.bench_reports DB`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

from counter_app.bootstrap import build_services
from counter_app.domain.clock import to_vn
from counter_app.services.clock import SystemClock
from counter_app.storage.report_queries import ReportQueries


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_reports(db_path: Path) -> list[tuple[str, float]]:
    """Seconds for: stats of the whole database and of its last month, then the last month's book (PDF and XLSX),
    statistics and late-case report as XLSX, and the dashboard."""
    services = build_services(db_path, SystemClock())
    try:
        reports = services.reports
        with services.context.uow() as uow:
            span = ReportQueries(uow.session).received_span()
        if span is None:
            return []
        first, last = to_vn(span[0]).date(), to_vn(span[1]).date()
        month_start = max(first, last - timedelta(days=30))
        figures: list[tuple[str, float]] = []
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder)
            figures.append(("report stats, whole database", _timed(lambda: reports.get_stats(first, last))))
            figures.append(("report stats, last 31 days", _timed(lambda: reports.get_stats(month_start, last))))
            figures.append(
                ("late-case report, last 31 days", _timed(lambda: reports.get_late_report(month_start, last)))
            )
            figures.append(("dashboard (30 days, 12 months)", _timed(reports.get_dashboard)))
            for fmt in ("xlsx", "pdf"):
                target = out / f"b.{fmt}"
                seconds = _timed(partial(reports.export_book, month_start, last, fmt, target))
                figures.append((f"book {fmt}, last 31 days", seconds))
            figures.append(
                (
                    "stats xlsx, whole database",
                    _timed(lambda: reports.export_stats(first, last, "xlsx", out / "s.xlsx")),
                )
            )
            figures.append(
                ("late xlsx, whole database", _timed(lambda: reports.export_late(first, last, "xlsx", out / "l.xlsx")))
            )
        return figures
    finally:
        services.close()


def _print(figures: list[tuple[str, float]]) -> None:
    for name, seconds in figures:
        print(f"{name:<40} {seconds:8.2f} s")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m scripts.bench_reports DB")
        sys.exit(2)
    _print(bench_reports(Path(sys.argv[1]).resolve()))
    sys.exit(0)
