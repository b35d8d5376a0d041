"""Mẫu 07 as XLSX ends with the month per day and its bar chart on a chart sheet, read back with openpyxl.

report_support's March 2026, by day (V voided and left out; F's result came only on 02/04):
| day | received | resolved early or on time | resolved late |
|---|---|---|---|
| Mon 02/03 | A B | | |
| Tue 03/03 | C D | X B (early) | |
| Wed 04/03 | E F | A (early) | |
| Thu 05/03 | G | | |
| Fri 06/03 | | C (on time) | |
| Mon 09/03 | H | | D |
Hộ tịch alone: B on 02/03; C D on 03/03; E on 04/03; G on 05/03; H on 09/03; resolved X B, C, D as above.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from reports.report_support import CIVIL, MARCH

from counter_app.bootstrap import Services
from counter_app.services.reports.report_files import BOOK_CHART_SHEET, BOOK_DAY_SHEET

DATA = f"'{BOOK_DAY_SHEET}'"


def day_figures(book: Any) -> dict[int, tuple[int, int, int]]:
    """Day of March -> (received, on time, late), every day of the month present, as real cells."""
    sheet = book[BOOK_DAY_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Ngày", "Tiếp nhận", "Giải quyết đúng hạn", "Giải quyết quá hạn")
    assert [row[0] for row in rows[1:]] == [datetime(2026, 3, day) for day in range(1, 32)]
    assert sheet["A2"].number_format == "dd/mm/yyyy"
    return {row[0].day: tuple(row[1:]) for row in rows[1:] if any(row[1:])}


def rich_text(title: Any) -> str:
    return "".join(run.t for paragraph in title.tx.rich.p for run in paragraph.r or ())


def test_the_book_has_a_chart_of_the_month(services: Services, out_dir: Path) -> None:
    path = out_dir / "book.xlsx"
    result = services.reports.export_book(*MARCH, "xlsx", path)
    assert result.rows == 8  # the day figures name nobody: only the book's lines are counted
    book = load_workbook(path)
    assert book.sheetnames[-2:] == [BOOK_DAY_SHEET, BOOK_CHART_SHEET]
    assert day_figures(book) == {
        2: (2, 0, 0),
        3: (2, 2, 0),
        4: (2, 1, 0),
        5: (1, 0, 0),
        6: (0, 1, 0),
        9: (1, 0, 1),
    }
    (chartsheet,) = book.chartsheets
    assert chartsheet.title == BOOK_CHART_SHEET
    (chart,) = chartsheet._charts
    assert chart.tagname == "barChart"
    assert rich_text(chart.title) == "Hồ sơ tiếp nhận và giải quyết theo ngày, tháng 03/2026"
    assert rich_text(chart.x_axis.title) == "Ngày"
    assert rich_text(chart.y_axis.title) == "Số hồ sơ"
    assert not chart.x_axis.delete and not chart.y_axis.delete  # Excel draws both axes
    # one series per figure: named by its heading cell, over the 31 days of the month, against the dates
    assert [(s.tx.strRef.f, s.val.numRef.f) for s in chart.series] == [
        (f"{DATA}!B1", f"{DATA}!$B$2:$B$32"),
        (f"{DATA}!C1", f"{DATA}!$C$2:$C$32"),
        (f"{DATA}!D1", f"{DATA}!$D$2:$D$32"),
    ]
    assert all(s.cat.numRef.f == f"{DATA}!$A$2:$A$32" for s in chart.series)
    data = book[BOOK_DAY_SHEET]
    assert [data[f"{column}1"].value for column in "BCD"] == ["Tiếp nhận", "Giải quyết đúng hạn", "Giải quyết quá hạn"]
    assert [data[f"{column}4"].value for column in "ABCD"] == [datetime(2026, 3, 3), 2, 2, 0]


def test_the_chart_of_one_field_counts_that_field_only(services: Services, out_dir: Path) -> None:
    path = out_dir / "civil.xlsx"
    services.reports.export_book(*MARCH, "xlsx", path, field=CIVIL)
    book = load_workbook(path)
    assert book.sheetnames == [CIVIL, BOOK_DAY_SHEET, BOOK_CHART_SHEET]
    assert day_figures(book) == {
        2: (1, 0, 0),
        3: (2, 2, 0),
        4: (1, 0, 0),
        5: (1, 0, 0),
        6: (0, 1, 0),
        9: (1, 0, 1),
    }
