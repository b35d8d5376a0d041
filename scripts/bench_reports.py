"""Timings of the reports over an existing database: statistics, the tracking book and the spreadsheet exports.

`bench_reports(db_path)` returns (name, seconds) pairs; scripts/bench.py calls it on its demo database. Run alone:
`python -m scripts.bench_reports DB`. The figures of issue 6 are over the most recent period holding about
BIG_PERIOD (100,000) dossiers: statistics (target < 2 s) and the tracking book as XLSX and as PDF (< 60 s each),
with a progress callback attached as the window attaches one. `TARGETS` holds their targets by figure name.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import text

from counter_app.bootstrap import build_services
from counter_app.domain.clock import to_vn
from counter_app.services.common.clock import SystemClock
from counter_app.services.reports.report_views import MAX_PERIOD_DAYS
from counter_app.storage.report_queries import ReportQueries

BIG_PERIOD = 100_000
STATS_BIG = "report stats, period of ~100,000 dossiers"
BOOK_XLSX_BIG = "book xlsx, ~100,000 rows"
BOOK_PDF_BIG = "book pdf, ~100,000 rows"
TARGETS: dict[str, tuple[str, Callable[[float], bool]]] = {
    STATS_BIG: ("< 2 s", lambda s: s < 2),
    BOOK_XLSX_BIG: ("< 60 s", lambda s: s < 60),
    BOOK_PDF_BIG: ("< 60 s", lambda s: s < 60),
}


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_reports(db_path: Path) -> list[tuple[str, float]]:
    """Seconds for: stats of the whole database (up to ten years) and of its last month, the last month's late-case
    report, book (PDF and XLSX) and late-case XLSX, the dashboard, then the ~100,000-dossier figures of TARGETS."""
    services = build_services(db_path, SystemClock())
    try:
        reports = services.reports
        with services.context.uow() as uow:
            span = ReportQueries(uow.session).received_span()
        if span is None:
            return []
        last = to_vn(span[1]).date()
        # "whole database": as far back as a report may reach (ten years; a 1,000,000-dossier demo spans more)
        first = max(to_vn(span[0]).date(), last - timedelta(days=MAX_PERIOD_DAYS))
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
            late_xlsx = partial(reports.export_late, month_start, last, "xlsx", out / "l.xlsx")
            figures.append(("late xlsx, last 31 days", _timed(late_xlsx)))
            # issue 6: a period of about 100,000 dossiers (the most recent ones)
            with services.context.uow() as uow:
                row = uow.session.execute(
                    text(
                        "SELECT received_at FROM dossier WHERE kind = 'dossier' "
                        "ORDER BY received_at DESC LIMIT 1 OFFSET :n"
                    ),
                    {"n": BIG_PERIOD - 1},
                ).first()
            big_start = first if row is None else to_vn(datetime.fromisoformat(str(row[0]))).date()
            figures.append((STATS_BIG, _timed(lambda: reports.get_stats(big_start, last))))
            calls: list[tuple[int, int]] = []

            def note(done: int, total: int) -> None:
                calls.append((done, total))

            for fmt, name in (("xlsx", BOOK_XLSX_BIG), ("pdf", BOOK_PDF_BIG)):
                export = partial(reports.export_book, big_start, last, fmt, out / f"big.{fmt}", progress=note)
                figures.append((name, _timed(export)))
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
