"""Every report of March 2026 as XLSX (read back with openpyxl) and as PDF (read back with pdftotext).

STT of the book is the "Số thứ tự" of the receipt: counter 1, then the dossier's rank in its field that year on
five digits. Hộ tịch in 2026: X (27/02) 100001, B 100002, C 100003, D 100004, E 100005, G 100006, H 100007
(V 100008 was voided and is left out).
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from printing.pdf_readback import pdf_text
from reports.report_support import BUSINESS, CIVIL, CLERK, HEAD, MARCH, NAMES, POLICE, RESIDENCE, UBND, Scenario

from counter_app.bootstrap import Services
from counter_app.errors import ValidationError
from counter_app.services.reports.report_files import BOOK_CHART_SHEET, BOOK_DAY_SHEET, ON_TIME_RATE_LABEL
from counter_app.services.reports.spreadsheets import ExportCancelled

BOOK_HEADINGS = [
    "STT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Tên tổ chức, cá nhân",
    "Địa chỉ/SĐT",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Trả kết quả",
    "Phương thức nhận kết quả",
    "Ký nhận",
]


def rows_of(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def by_label(sheet: Any) -> dict[str, Any]:
    return {str(row[0].value).strip(): row[1] for row in sheet.iter_rows(min_row=2)}


def test_book_xlsx_has_one_sheet_per_field_with_real_cells(services: Services, march: Scenario, out_dir: Path) -> None:
    path = out_dir / "book.xlsx"
    result = services.reports.export_book(*MARCH, "xlsx", path)
    assert result.rows == 8
    book = load_workbook(path)
    titles = book.sheetnames
    assert len(titles) == 5  # three fields, the day figures and their chart
    assert {RESIDENCE, CIVIL, BOOK_DAY_SHEET, BOOK_CHART_SHEET} <= set(titles)
    # Excel cuts sheet names at 31 characters: cut after a word, with "…"
    assert "Thành lập và hoạt động của hộ…" in titles
    civil = book[CIVIL]
    rows = rows_of(civil)
    assert rows[0] == BOOK_HEADINGS
    assert civil.freeze_panes == "A2"
    assert civil.auto_filter.ref == "A1:K7"
    codes = [row[1] for row in rows[1:]]
    assert codes == [march.codes[label] for label in ("B", "C", "D", "E", "G", "H")]
    assert [row[0] for row in rows[1:]] == [100002, 100003, 100004, 100005, 100006, 100007]
    b = rows[1]
    assert b[2] == "Xác nhận tình trạng hôn nhân"
    assert b[3] == NAMES["B"]
    assert "0901234567" in b[4]
    assert b[5] == UBND
    assert (b[6], b[7], b[8]) == (datetime(2026, 3, 2, 9, 0), datetime(2026, 3, 5, 17, 0), datetime(2026, 3, 6, 9, 0))
    assert b[9] == "Bộ phận Một cửa"
    assert b[10] is None
    assert isinstance(b[0], int)
    assert civil.cell(row=2, column=7).number_format == "dd/mm/yyyy hh:mm"
    g = rows[5]
    assert g[7] == datetime(2026, 3, 18, 17, 0)  # the appointment in force after the re-appointment
    assert g[8] is None  # not returned
    residence = rows_of(book[RESIDENCE])
    assert [row[1] for row in residence[1:]] == [march.codes["F"]]
    assert residence[1][5] == POLICE


def test_book_pdf_of_every_field_and_of_one_field(services: Services, march: Scenario, out_dir: Path) -> None:
    every = services.reports.export_book(*MARCH, "pdf", out_dir / "book.pdf")
    text = pdf_text(every.path)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text
    for field in (CIVIL, RESIDENCE, BUSINESS):
        assert f"Lĩnh vực: {field}" in text
    for label in ("A", "B", "C", "D", "E", "F", "G", "H"):
        assert march.codes[label] in text
    for label in ("X", "V", "Y"):  # February, voided, April
        assert march.codes[label] not in text

    one = services.reports.export_book(*MARCH, "pdf", out_dir / "civil.pdf", field=CIVIL)
    assert one.rows == 6
    text = pdf_text(one.path)
    assert f"Lĩnh vực: {CIVIL}" in text
    assert march.codes["B"] in text
    assert march.codes["A"] not in text
    assert "100002" in text
    assert "06/03/2026" in text  # B handed over


def test_stats_xlsx(services: Services, out_dir: Path) -> None:
    path = out_dir / "stats.xlsx"
    services.reports.export_stats(*MARCH, "xlsx", path)
    book = load_workbook(path)
    assert book.sheetnames == ["Tổng hợp", "Theo cơ quan", "Theo lĩnh vực", "Theo thủ tục", "Đánh giá"]
    summary = book["Tổng hợp"]
    assert summary.freeze_panes == "A2"
    assert summary.auto_filter.ref is not None and summary.auto_filter.ref.startswith("A1:B")
    cells = by_label(summary)
    assert cells["Hồ sơ tiếp nhận"].value == 8
    assert cells["Trực tuyến"].value == 1
    assert cells["Từ chối tiếp nhận (Mẫu 03)"].value == 1
    assert cells["Quá hạn chưa có phiếu xin lỗi"].value == 1
    rate = cells[ON_TIME_RATE_LABEL]
    assert rate.value == pytest.approx(4 / 7)  # 3 early + 1 on time of 5 resolved + 2 overdue
    assert rate.number_format == "0.0%"
    fees = cells["Phí, lệ phí đã thu"]
    assert (fees.value, fees.number_format) == (100_000, "#,##0")
    assert isinstance(fees.value, int)
    agencies = {row[0]: row for row in rows_of(book["Theo cơ quan"])[1:]}
    # received, early, on time, late, rate, withdrawn, stopped, pending, overdue, without apology, fees
    assert agencies[UBND][1:] == [7, 3, 1, 1, pytest.approx(4 / 6), 1, 0, 2, 1, 0, 100_000]
    assert agencies[POLICE][1:] == [1, 0, 0, 0, 0.0, 0, 0, 1, 1, 1, 0]  # F overdue, late already
    ratings = by_label(book["Đánh giá"])
    assert [ratings[f"Mức {level}"].value for level in range(1, 6)] == [0, 1, 1, 1, 2]


def test_stats_pdf(services: Services, out_dir: Path) -> None:
    result = services.reports.export_stats(*MARCH, "pdf", out_dir / "stats.pdf")
    text = pdf_text(result.path)
    assert "BÁO CÁO TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ" in text
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text
    assert "24:00 ngày 31/03/2026" in text
    assert "Hồ sơ tiếp nhận 8" in text
    assert "57,1%" in text  # on-time rate 4/7
    assert "37,1%" in text  # satisfaction 13/35
    assert "100.000 đồng" in text
    assert POLICE in text and UBND in text
    assert CLERK in text and HEAD in text


def test_late_xlsx(services: Services, march: Scenario, out_dir: Path) -> None:
    path = out_dir / "late.xlsx"
    result = services.reports.export_late(*MARCH, "xlsx", path)
    assert result.rows == 3
    book = load_workbook(path)
    sheet = book["Hồ sơ quá hạn"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P4"
    rows = {row[1]: row for row in rows_of(sheet)[1:]}
    g = rows[march.codes["G"]]
    assert g[7] == datetime(2026, 3, 12, 17, 0)  # first appointment
    assert g[10] == 9
    assert g[12] == "100001/PXL"
    assert g[13] == datetime(2026, 3, 11, 9, 0)
    assert g[14] == "Qua dịch vụ bưu chính công ích"
    assert g[15] == datetime(2026, 3, 18, 17, 0)
    d = rows[march.codes["D"]]
    assert (d[8], d[10], d[12]) == (datetime(2026, 3, 9, 10, 0), 1, None)
    totals = {row[0]: row[1:] for row in rows_of(book["Theo cơ quan"])[1:]}
    assert totals == {UBND: [2, 1, 1, 0, 1], POLICE: [1, 0, 1, 1, 0]}


def test_late_pdf(services: Services, march: Scenario, out_dir: Path) -> None:
    result = services.reports.export_late(*MARCH, "pdf", out_dir / "late.pdf")
    text = pdf_text(result.path)
    for label in ("D", "F", "G"):
        assert march.codes[label] in text
    assert march.codes["C"] not in text
    assert "100001/PXL" in text
    assert "Qua dịch vụ bưu chính" in text
    assert "18/03/2026" in text
    assert "Chưa có" in text  # D and F have no letter
    assert "TỔNG HỢP THEO CƠ QUAN CHỦ TRÌ GIẢI QUYẾT" in text


def test_progress_reaches_the_total(services: Services, out_dir: Path) -> None:
    calls: list[tuple[int, int]] = []
    services.reports.export_book(
        *MARCH, "xlsx", out_dir / "b.xlsx", progress=lambda done, total: calls.append((done, total))
    )
    assert calls[-1] == (8, 8)
    calls.clear()
    services.reports.export_book(
        *MARCH, "pdf", out_dir / "b.pdf", progress=lambda done, total: calls.append((done, total))
    )
    assert calls[-1] == (8, 8)


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_a_cancelled_export_writes_nothing(services: Services, out_dir: Path, fmt: str) -> None:
    cancel = threading.Event()
    cancel.set()
    target = out_dir / f"book.{fmt}"
    with pytest.raises(ExportCancelled):
        services.reports.export_book(*MARCH, fmt, target, cancel=cancel)
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("report", ["book", "stats", "late"])
@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_a_period_without_dossiers_still_gives_a_file(services: Services, out_dir: Path, report: str, fmt: str) -> None:
    path = out_dir / f"{report}.{fmt}"
    result = services.reports.export(report, date(2025, 6, 1), date(2025, 6, 30), fmt, path)
    assert result.rows == 0
    if fmt == "pdf":
        assert "Từ ngày 01/06/2025 đến ngày 30/06/2025" in pdf_text(path)
    elif report == "stats":
        assert by_label(load_workbook(path)["Tổng hợp"])["Hồ sơ tiếp nhận"].value == 0
    else:
        sheet = load_workbook(path).worksheets[0]
        assert sheet.max_row == 1  # the headings only
        assert sheet.freeze_panes == "A2"


def test_an_unknown_format_is_refused(services: Services, out_dir: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        services.reports.export_book(*MARCH, "docx", out_dir / "book.docx")
    assert caught.value.field == "format"
    assert list(out_dir.iterdir()) == []


def test_a_pdf_cancelled_while_its_pages_are_drawn_writes_nothing(services: Services, out_dir: Path) -> None:
    """Reading is the first half of the progress, drawing the second; cancel is checked after every page drawn."""
    cancel = threading.Event()
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done > total // 2:  # some lines are drawn already
            cancel.set()

    with pytest.raises(ExportCancelled):
        services.reports.export_book(*MARCH, "pdf", out_dir / "book.pdf", progress=progress, cancel=cancel)
    assert list(out_dir.iterdir()) == []
    assert calls[-1][0] > calls[-1][1] // 2
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)  # never goes back


def test_spreadsheet_cells_keep_their_text_and_types(out_dir: Path) -> None:
    from counter_app.domain.clock import VN_TZ
    from counter_app.services.reports.spreadsheets import CellKind, Column, Formatted, SheetSpec, write_workbook

    moment = datetime(2026, 3, 2, 17, 0, tzinfo=VN_TZ)
    utc = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 00:00 on 03/03 in Vietnam
    rows = [
        ["a & b < c > d \"e\" 'f'", 1234, moment, Formatted(0.125, CellKind.RATE)],
        ["   indented", None, utc, Formatted("text in a number column", CellKind.TEXT)],
        ["control\x01character", 0, date(2026, 3, 2), None],
    ]
    columns = (
        Column("Chữ", CellKind.TEXT),
        Column("Số", CellKind.INT),
        Column("Lúc", CellKind.DATETIME),
        Column("Tỷ lệ", CellKind.RATE),
    )
    path = out_dir / "cells.xlsx"
    assert write_workbook(path, [SheetSpec("Trang: [1]?", columns, rows)], title="Thử & xem") == 3
    book = load_workbook(path)
    assert book.sheetnames == ["Trang 1"]
    sheet = book.worksheets[0]
    assert rows_of(sheet)[0] == ["Chữ", "Số", "Lúc", "Tỷ lệ"]
    first, second, third = rows_of(sheet)[1:]
    assert first[:2] == ["a & b < c > d \"e\" 'f'", 1234]
    assert first[2] == datetime(2026, 3, 2, 17, 0)  # Vietnamese wall-clock time, as a real date cell
    assert first[3] == pytest.approx(0.125)
    assert sheet.cell(row=2, column=4).number_format == "0.0%"
    assert sheet.cell(row=2, column=2).number_format == "#,##0"
    assert second == ["   indented", None, datetime(2026, 3, 3, 0, 0), "text in a number column"]
    assert third[0] == "controlcharacter"
    assert third[2] == datetime(2026, 3, 2, 0, 0)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D4"
    assert book.properties.title == "Thử & xem"


def test_exports_naming_citizens_are_on_the_record(march: Scenario, tmp_path: Path) -> None:
    import json
    import sqlite3

    copy = march.copy_to(tmp_path / "copy")

    def recorded() -> list[dict[str, Any]]:
        with sqlite3.connect(copy.db) as conn:
            rows = conn.execute("SELECT payload FROM event WHERE kind = 'data.exported' ORDER BY seq").fetchall()
        return [json.loads(payload) for (payload,) in rows]

    before = recorded()  # the shared database holds the other tests' exports
    services, _clock = copy.open()
    try:
        book = services.reports.export("book", MARCH[0], MARCH[1], "xlsx", tmp_path / "book.xlsx")
        late = services.reports.export("late", MARCH[0], MARCH[1], "pdf", tmp_path / "late.pdf")
        services.reports.export("stats", MARCH[0], MARCH[1], "xlsx", tmp_path / "stats.xlsx")  # figures only
    finally:
        services.close()
    assert recorded()[len(before) :] == [
        {"what": "report.book.xlsx", "count": book.rows},
        {"what": "report.late.pdf", "count": late.rows},
    ]
    assert book.rows > 0 and late.rows > 0
