"""The tracking book's file (Mẫu 07): each field's book read page by page, written as PDF volumes or XLSX sheets."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from counter_app.printing.data import OfficeHeader, PageSize
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.settings import Settings
from counter_app.services.reports.export_files import write_file
from counter_app.services.reports.report_views import ReportPeriod
from counter_app.storage.report_queries import BookLine

if TYPE_CHECKING:
    from counter_app.services.reports.spreadsheets import SheetSpec

BOOK_PAGE = 2_000  # rows per read: short read transactions, a progress report and a cancel check each


def write_book(
    context: ServiceContext,
    period: ReportPeriod,
    books: list[tuple[str, int]],
    fmt: str,
    out: Path,
    *,
    fields: list[str] | None,
    read_header: Callable[[], tuple[OfficeHeader, Settings]],
    progress: Callable[[int, int], None] | None,
    cancel: threading.Event | None,
) -> int:
    """Write the books of `books` (field, count) into `out`; returns how many lines were written.

    `fields` limits the XLSX's day figures to those fields (every field when None)."""
    from counter_app.services.reports import report_files as files
    from counter_app.services.reports.spreadsheets import SheetSpec, check_cancel, write_workbook

    total = sum(n for _f, n in books)
    done = [0]

    def lines(name: str) -> Iterator[tuple[int, BookLine]]:
        position = 0
        after: tuple[datetime, str] | None = None
        while True:
            check_cancel(cancel)
            with context.uow() as uow:
                page = uow.reports.book_page(period.start_at, period.end_at, name, after=after, limit=BOOK_PAGE)
            for line in page:
                position += 1
                yield position, line
            done[0] += len(page)
            if fmt == "pdf" and progress is not None:
                # reading is the first half of a PDF's work, drawing the second (see below)
                progress(done[0] // 2, total)
            if len(page) < BOOK_PAGE:
                return
            after = (page[-1].received_at, page[-1].uuid)

    if fmt == "xlsx":
        days = book_days(context, period, fields)
        sheets = itertools.chain(
            (
                SheetSpec(
                    name or "Không ghi lĩnh vực",
                    files.BOOK_COLUMNS,
                    (files.book_cells(ln, i) for i, ln in lines(name)),
                )
                for name, _n in books
            ),
            [days],
        )
        rows = write_workbook(
            out,
            sheets,
            title=f"Sổ theo dõi hồ sơ {period.start:%d/%m/%Y}–{period.end:%d/%m/%Y}",
            total_rows=total,
            progress=progress,
            cancel=cancel,
        )
        return rows
    from counter_app.printing.book_volumes import render_books
    from counter_app.printing.data import BookData

    header, settings = read_header()
    data = [
        BookData(
            header=header,
            rule_set=settings.rule_set,
            field_name=name or "(không ghi lĩnh vực)",
            volume=str(settings.book_volume),
            rows=tuple(files.book_row(ln, i) for i, ln in lines(name)),
            issued_at=context.clock.now(),
            page_size=PageSize(settings.page_size),
        )
        for name, _n in books
    ]
    check_cancel(cancel)
    read = sum(len(b.rows) for b in data)

    def drawn(lines: int) -> None:
        # after each page of the PDF: a cancel raises ExportCancelled out of the rendering
        check_cancel(cancel)
        if progress is not None:
            progress((read + lines) // 2, total)

    write_file(out, render_books(data, (period.start, period.end), on_drawn=drawn))
    if progress is not None:
        progress(read, total)
    return read


def book_days(context: ServiceContext, period: ReportPeriod, fields: list[str] | None) -> SheetSpec:
    """The day figures of the book's fields (every field when None) and their chart sheet."""
    from counter_app.services.reports import report_files as files

    with context.uow() as uow:
        q = uow.reports
        received = q.received_per_day(period.start_at, period.end_at, fields=fields)
        resolved = q.resolved_per_day(period.start_at, period.end_at, fields=fields)
    return files.book_day_sheet(period.start, period.end, received, resolved)
