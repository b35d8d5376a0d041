"""The signatures under a printed report are never alone on a page: the last rows above them come along.

Each report is rendered with one more table row at a time, so that the end of its last table walks down the
page past the point where the signatures no longer fit under it; every PDF is read back with pdftotext.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from pdf_readback import page_count, pdf_text, write_pdf

from counter_app.domain.clock import VN_TZ
from counter_app.printing.data import OfficeHeader
from counter_app.printing.late_report import AgencyLateTotal, LateReportData, LateReportLine, render_late_report
from counter_app.printing.stats_report import (
    BreakdownLine,
    BreakdownTable,
    StatsReportData,
    SummaryLine,
    render_stats_report,
)

HEADER = OfficeHeader(
    parent_authority="UBND PHƯỜNG SÀI GÒN", unit_name="Trung tâm Phục vụ hành chính công", place="Sài Gòn"
)
ISSUED = datetime(2026, 4, 1, 9, 0, tzinfo=VN_TZ)
PREPARER, HEAD = "Trần Thị Lập", "Nguyễn Văn Trưởng"


def signature_page(path: Path) -> str:
    """The text of the page that holds the signatures (the last one), with the page number taken off."""
    pages = page_count(path)
    text = pdf_text(path, page=pages)
    assert "NGƯỜI LẬP BIỂU" in text and "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in text and PREPARER in text and HEAD in text
    return text


def stats_data(procedures: int) -> StatsReportData:
    lines = tuple(
        BreakdownLine(
            name=f"Thủ tục số {n:02d}",
            received=n,
            early=1,
            on_time=0,
            late=0,
            on_time_rate=1.0,
            withdrawn=0,
            pending=0,
            overdue=0,
        )
        for n in range(1, procedures + 1)
    )
    return StatsReportData(
        header=HEADER,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        as_of=datetime(2026, 4, 1, 0, 0, tzinfo=VN_TZ),
        summary=(SummaryLine(label="Hồ sơ tiếp nhận", value=procedures),),
        ratings=(0, 0, 0, 0, 0),
        likes=0,
        dislikes=0,
        tables=(BreakdownTable(title="Theo thủ tục hành chính", heading="Thủ tục hành chính", lines=lines),),
        preparer=PREPARER,
        head_name=HEAD,
        issued_at=ISSUED,
    )


def test_stats_report_signatures_keep_the_last_rows_of_the_table(tmp_path: Path) -> None:
    alone = []
    for procedures in range(8, 40):
        path = write_pdf(render_stats_report(stats_data(procedures)), tmp_path, f"stats-{procedures}.pdf")
        text = signature_page(path)
        if f"Thủ tục số {procedures:02d}" not in text:
            alone.append((procedures, page_count(path)))
        if page_count(path) > 1:
            # a page break inside the table repeats its heading row above the rows carried over
            assert "Tiếp nhận" in text
    assert alone == []


def late_data(dossiers: int) -> LateReportData:
    moment = datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ)
    lines = tuple(
        LateReportLine(
            index=n,
            dossier_code=f"000.17.22.H56-260302-{1000 + n}",
            procedure_name="Xác nhận tình trạng hôn nhân",
            applicant_name="Lê Văn Xuân",
            deciding_agency="Ủy ban nhân dân phường",
            received_at=moment,
            first_due_at=moment,
            situation="Đang quá hạn, chưa có phiếu xin lỗi",
            days_late=3,
        )
        for n in range(1, dossiers + 1)
    )
    totals = (
        AgencyLateTotal(
            agency="Ủy ban nhân dân phường",
            dossiers=dossiers,
            resolved_late=0,
            overdue=dossiers,
            overdue_without_apology=dossiers,
            apologies=0,
        ),
    )
    return LateReportData(
        header=HEADER,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        as_of=datetime(2026, 4, 1, 0, 0, tzinfo=VN_TZ),
        lines=lines,
        totals=totals,
        preparer=PREPARER,
        head_name=HEAD,
        issued_at=ISSUED,
    )


def test_late_report_signatures_keep_the_totals_table(tmp_path: Path) -> None:
    alone = []
    for dossiers in range(1, 16):
        path = write_pdf(render_late_report(late_data(dossiers)), tmp_path, f"late-{dossiers}.pdf")
        text = signature_page(path)
        # the totals of the agency, and the heading of their section, are on the page of the signatures
        if "TỔNG HỢP THEO CƠ QUAN CHỦ TRÌ GIẢI QUYẾT" not in text or "Ủy ban nhân dân phường" not in text:
            alone.append((dossiers, page_count(path)))
    assert alone == []
