"""XLSX files of the reports: Vietnamese headings, real date and number cells, frozen heading, auto filter.

openpyxl's write-only mode streams rows to disk, so a year's book does not sit in memory; the file is written
beside its target and renamed at the end, so nobody ever opens half a workbook, and a cancelled export leaves
nothing behind.
"""

from __future__ import annotations

import contextlib
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from counter_app.domain.clock import to_vn
from counter_app.errors import CounterError
from counter_app.private_files import replacing

Progress = Callable[[int, int], None]
CellValue = str | int | float | datetime | date | None
_CHECK_EVERY = 500  # rows between progress reports and cancel checks
NO_RATE = "—"  # a rate with nothing to divide (domain.md §10): never 0% or 100%
SHEET_TITLE_MAX = 31  # Excel refuses a longer sheet name
_SLASHES = re.compile(r"[/\\]")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # as openpyxl's ILLEGAL_CHARACTERS_RE


class ExportCancelled(CounterError):
    """The person cancelled a long export; nothing was written."""

    def __init__(self) -> None:
        super().__init__("Đã hủy xuất báo cáo; không có tệp nào được ghi.")


class CellKind(StrEnum):
    TEXT = "text"
    INT = "int"
    MONEY = "money"
    RATE = "rate"
    DATE = "date"
    DATETIME = "datetime"


NUMBER_FORMATS = {
    CellKind.INT: "#,##0",
    CellKind.MONEY: "#,##0",
    CellKind.RATE: "0.0%",
    CellKind.DATE: "dd/mm/yyyy",
    CellKind.DATETIME: "dd/mm/yyyy hh:mm",
}


@dataclass(frozen=True, slots=True)
class Column:
    heading: str
    kind: CellKind = CellKind.TEXT
    width: float = 14.0


@dataclass(frozen=True, slots=True)
class Formatted:
    """A cell whose kind differs from its column's (a summary sheet mixes counts, amounts and rates)."""

    value: CellValue
    kind: CellKind


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """A bar chart of a sheet on a chart sheet of its own, placed after it.

    The sheet's first column gives the categories (the x axis), each other column a series named by its heading.
    """

    title: str  # of the chart sheet
    heading: str  # above the chart
    x_title: str
    y_title: str
    x_format: str = "dd/mm"  # how the categories are written under the x axis


@dataclass(frozen=True, slots=True)
class SheetSpec:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[CellValue | Formatted]]
    chart: ChartSpec | None = None
    counted: bool = True  # its rows are records of the export (progress, the count returned); False for figures


def check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ExportCancelled


def sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unique, readable sheet name: no []:*?/\\, at most 31 characters (Excel's limits).

    A longer name is cut at a word and ends with "…"; a name already taken (Excel compares them without case)
    gets " (2)", " (3)", … within the same 31 characters.
    """
    # "Địa chỉ/SĐT" reads "Địa chỉ-SĐT"; brackets, colons, stars and question marks become spaces
    cleaned = _SLASHES.sub("-", _BAD_SHEET_CHARS.sub(" ", unicodedata.normalize("NFC", text)))
    cleaned = " ".join(cleaned.split())
    base = cleaned.strip("'") or "Trang"  # Excel refuses a name that starts or ends with an apostrophe
    title, number = _cut(base, SHEET_TITLE_MAX), 2
    while title.casefold() in taken:
        suffix = f" ({number})"
        title, number = _cut(base, SHEET_TITLE_MAX - len(suffix)) + suffix, number + 1
    taken.add(title.casefold())
    return title


def _cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: whole, or cut after a word with "…"."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if text[limit - 1] != " " and space > limit // 2:  # a word cut in two is hard to read; a lone word is not
        head = head[:space]
    return head.rstrip(" -,.'") + "…"


def _excel_value(value: CellValue) -> CellValue:
    # Excel has no time zones: a moment is written as the Vietnamese wall-clock time it was
    if isinstance(value, datetime):
        return to_vn(value).replace(tzinfo=None)
    if isinstance(value, str) and _ILLEGAL.search(value):
        return _ILLEGAL.sub("", value)  # control characters (a pasted or scanned name) are not allowed in XLSX
    return value


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _discard(workbook: Any) -> None:
    """Finish and delete the temporary files of an abandoned write-only workbook (openpyxl has no abort).

    Left to the garbage collector, each half-written sheet raises from inside its XML writer.
    """
    for sheet in workbook.worksheets:
        with contextlib.suppress(Exception):
            sheet.close()
        writer = getattr(sheet, "_writer", None)
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cleanup()


def _add_chart(workbook: Any, sheet: Any, spec: SheetSpec, rows: int, taken: set[str]) -> None:
    """The chart of `spec` on a chart sheet of its own, over the `rows` data rows just written into `sheet`."""
    from openpyxl.chart import BarChart, Reference

    assert spec.chart is not None
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = spec.chart.heading
    chart.x_axis.title = spec.chart.x_title
    chart.y_axis.title = spec.chart.y_title
    chart.x_axis.number_format = spec.chart.x_format
    chart.y_axis.number_format = "0"
    # openpyxl marks both axes deleted by default: Excel 365 would then draw the bars without any scale
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    last = max(rows, 1) + 1
    data = Reference(sheet, min_col=2, max_col=len(spec.columns), min_row=1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chartsheet = workbook.create_chartsheet(sheet_title(spec.chart.title, taken))
    chartsheet.add_chart(chart)


def write_workbook(
    path: Path,
    sheets: Iterable[SheetSpec],
    *,
    title: str,
    total_rows: int = 0,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Write `sheets` into the XLSX file `path`; returns the number of data rows written (of counted sheets).

    `progress(done, total_rows)` is called every few hundred rows; `cancel` is checked as often and raises
    ExportCancelled.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook(write_only=True)
    workbook.properties.title = title
    workbook.properties.creator = "counter_app"
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="EBEBEB")
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    written = 0
    taken: set[str] = set()
    try:
        for spec in sheets:
            sheet: Any = workbook.create_sheet(sheet_title(spec.title, taken))
            for index, column in enumerate(spec.columns, start=1):
                sheet.column_dimensions[_column_letter(index)].width = column.width
            sheet.freeze_panes = "A2"
            heading = []
            for column in spec.columns:
                cell = WriteOnlyCell(sheet, value=column.heading)
                cell.font, cell.fill, cell.alignment = bold, grey, wrap
                heading.append(cell)
            sheet.append(heading)
            count = 0
            for row in spec.rows:
                cells: list[Any] = []
                for column, given in zip(spec.columns, row, strict=True):
                    kind, value = (given.kind, given.value) if isinstance(given, Formatted) else (column.kind, given)
                    shown = _excel_value(value)
                    if kind is CellKind.RATE and shown is None:
                        cells.append(NO_RATE)
                    elif kind is CellKind.TEXT or shown is None:
                        cells.append(shown)
                    else:
                        cell = WriteOnlyCell(sheet, value=shown)
                        cell.number_format = NUMBER_FORMATS[kind]
                        cells.append(cell)
                sheet.append(cells)
                count += 1
                if not spec.counted:
                    continue
                written += 1
                if written % _CHECK_EVERY == 0:
                    check_cancel(cancel)
                    if progress is not None:
                        progress(written, max(total_rows, written))
            sheet.auto_filter.ref = f"A1:{_column_letter(len(spec.columns))}{count + 1}"
            if spec.chart is not None:
                _add_chart(workbook, sheet, spec, count, taken)
        check_cancel(cancel)
        with replacing(path) as partial:
            workbook.save(partial)
    except BaseException:
        _discard(workbook)
        raise
    if progress is not None:
        progress(written, max(total_rows, written))
    return written
