"""The "Xuất báo cáo" dialog over the March 2026 database: real exports on the task runner, read back from disk.

The book of March has 8 dossiers (A-H; X is February's, V voided, Y April's), 6 of them Hộ tịch; see
report_support.py and test_exports.py for the figures.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook
from printing.pdf_readback import pdf_text
from PySide6.QtCore import Qt, QTimer, QUrl
from reports.report_support import CIVIL, MARCH, NOW, Scenario

from counter_app.bootstrap import Services
from counter_app.services.reports.report_files import BOOK_CHART_SHEET, BOOK_DAY_SHEET
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.reports.dashboard import DashboardPanel
from counter_app.ui.reports.report_export_dialog import (
    ALL_FIELDS,
    CANCELLED,
    ReportExportDialog,
    quick_periods,
    suggested_name,
)

BOOK_ROWS = 8
DEMO_DOSSIERS = 3_000


@pytest.fixture
def copy(march: Scenario, tmp_path: Path) -> Iterator[Services]:
    """Services over a copy of March: an export of the book records an audit event."""
    services, _clock = march.copy_to(tmp_path / "db").open(NOW)
    yield services
    services.close()


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.wait_for_workers()  # no worker may still read the database when the services close


def open_dialog(qtbot: Any, services: Any, runner: TaskRunner) -> ReportExportDialog:
    dialog = ReportExportDialog(services, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)  # the fields of the default period
    return dialog


def choose(qtbot: Any, dialog: ReportExportDialog, runner: TaskRunner, report: str, fmt: str, target: Path) -> None:
    dialog.select_report(report)
    dialog.select_format(fmt)
    dialog.set_period(*MARCH)
    dialog.set_target(target)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)


def data_rows(path: Path) -> int:
    return sum(sheet.max_row - 1 for sheet in load_workbook(path).worksheets if sheet.title != BOOK_DAY_SHEET)


def test_defaults_the_running_month_and_a_plain_file_name(qtbot: Any, copy: Services, runner: TaskRunner) -> None:
    dialog = open_dialog(qtbot, copy, runner)
    assert dialog.windowTitle() == "Xuất báo cáo"
    assert dialog.period() == (date(2026, 4, 1), date(2026, 4, 10))  # the clock says 10/04/2026
    assert dialog.date_from.displayFormat() == "dd/MM/yyyy"
    target = dialog.target_path()
    assert target is not None and target.name == "so-theo-doi-2026-04.pdf"
    dialog.select_format("xlsx")
    dialog.select_report("late")
    target = dialog.target_path()
    assert target is not None and target.name == "ho-so-qua-han-2026-04.xlsx"
    assert not dialog.field_row.isEnabled()  # a field only for the book
    dialog.quick_buttons["Tháng trước"].click()
    assert dialog.period() == MARCH
    assert dialog.target_path() == target.with_name("ho-so-qua-han-2026-03.xlsx")


def test_a_dialog_kept_past_midnight_takes_the_new_day(qtbot: Any, march: Scenario, tmp_path: Path) -> None:
    """The dashboard keeps its dialog for the whole sign-in: the quick choices and an untouched default period
    follow the clock, a period the clerk chose stays."""
    services, clock = march.copy_to(tmp_path / "db").open(NOW)
    runner = TaskRunner()
    try:
        dialog = open_dialog(qtbot, services, runner)
        assert dialog.period() == (date(2026, 4, 1), date(2026, 4, 10))
        dialog.hide()
        clock.set("2026-05-02 08:00")  # the office reopens after the night and the holidays
        dialog.show()
        assert dialog.period() == (date(2026, 5, 1), date(2026, 5, 2))
        dialog.quick_buttons["Tháng trước"].click()
        assert dialog.period() == (date(2026, 4, 1), date(2026, 4, 30))
        dialog.hide()
        clock.set("2026-07-01 07:30")
        dialog.show()
        assert dialog.period() == (date(2026, 4, 1), date(2026, 4, 30))  # chosen by the clerk: kept
        dialog.quick_buttons["Quý này"].click()
        assert dialog.period() == (date(2026, 7, 1), date(2026, 7, 1))
        dialog.quick_buttons["Năm nay"].click()
        assert dialog.period() == (date(2026, 1, 1), date(2026, 7, 1))
        qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)
    finally:
        runner.wait_for_workers()
        services.close()


def test_quick_periods_and_names() -> None:
    periods = quick_periods(date(2026, 11, 20))
    assert periods["Tháng này"] == (date(2026, 11, 1), date(2026, 11, 20))
    assert periods["Tháng trước"] == (date(2026, 10, 1), date(2026, 10, 31))
    assert periods["Quý này"] == (date(2026, 10, 1), date(2026, 11, 20))
    assert periods["Năm nay"] == (date(2026, 1, 1), date(2026, 11, 20))
    assert quick_periods(date(2026, 1, 5))["Tháng trước"] == (date(2025, 12, 1), date(2025, 12, 31))
    assert suggested_name("book", "pdf", date(2026, 11, 1), date(2026, 11, 30)) == "so-theo-doi-2026-11.pdf"
    assert suggested_name("stats", "xlsx", date(2026, 3, 5), date(2026, 4, 2)) == "thong-ke-2026-03-05_2026-04-02.xlsx"


def test_book_as_xlsx_with_progress_and_open_buttons(
    qtbot: Any, copy: Services, runner: TaskRunner, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, copy, runner)
    target = tmp_path / "out" / "so-theo-doi-2026-03.xlsx"
    choose(qtbot, dialog, runner, "book", "xlsx", target)
    assert dialog.field.itemText(0) == ALL_FIELDS
    assert f"{CIVIL} (6 hồ sơ)" in [dialog.field.itemText(i) for i in range(dialog.field.count())]
    with qtbot.waitSignal(dialog.sig_finished, timeout=30_000) as blocker:
        dialog.export_button.click()
        assert dialog.running and not dialog.export_button.isEnabled() and dialog.cancel_button.isEnabled()
    assert blocker.args[0].rows == BOOK_ROWS
    assert data_rows(target) == BOOK_ROWS
    assert (dialog.progress.value(), dialog.progress.maximum()) == (BOOK_ROWS, BOOK_ROWS)
    assert dialog.status.text() == f"Đã xuất Sổ theo dõi hồ sơ (Mẫu 07) ({BOOK_ROWS} hồ sơ) vào {target}"
    assert dialog.export_button.isEnabled() and not dialog.cancel_button.isEnabled()
    opened: list[QUrl] = []
    dialog.open_url = opened.append
    assert dialog.open_folder_button.isVisible()
    dialog.open_folder_button.click()
    dialog.open_file_button.click()
    assert [url.toLocalFile() for url in opened] == [str(target.parent), str(target)]


def test_book_of_one_field(qtbot: Any, copy: Services, runner: TaskRunner, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, copy, runner)
    target = tmp_path / "civil.xlsx"
    choose(qtbot, dialog, runner, "book", "xlsx", target)
    dialog.select_field(CIVIL)
    with qtbot.waitSignal(dialog.sig_finished, timeout=30_000):
        dialog.export_button.click()
    book = load_workbook(target)
    assert book.sheetnames == [CIVIL, BOOK_DAY_SHEET, BOOK_CHART_SHEET]
    assert data_rows(target) == 6


def test_stats_as_pdf(qtbot: Any, copy: Services, runner: TaskRunner, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, copy, runner)
    target = tmp_path / "thong-ke.pdf"
    choose(qtbot, dialog, runner, "stats", "pdf", target)
    with qtbot.waitSignal(dialog.sig_finished, timeout=30_000):
        dialog.export_button.click()
    text = pdf_text(target)
    assert "Hồ sơ tiếp nhận 8" in text
    assert "57,1%" in text  # on time 4 of 5 resolved + 2 overdue
    assert dialog.progress.value() == dialog.progress.maximum() > 0
    assert dialog.status.text().startswith("Đã xuất Báo cáo thống kê (8 hồ sơ) vào ")


@pytest.mark.parametrize(
    ("start", "end", "key", "message"),
    [
        (date(2026, 3, 31), date(2026, 3, 1), "to", "Ngày cuối kỳ (01/03/2026) trước ngày đầu kỳ (31/03/2026)."),
        (date(2010, 1, 1), date(2026, 3, 31), "from", "Kỳ báo cáo dài quá mười năm; kiểm tra lại ngày đầu kỳ."),
    ],
)
def test_an_invalid_period_is_shown_at_its_date_and_writes_nothing(
    qtbot: Any, copy: Services, runner: TaskRunner, tmp_path: Path, start: date, end: date, key: str, message: str
) -> None:
    dialog = open_dialog(qtbot, copy, runner)
    out = tmp_path / "out"
    out.mkdir()
    choose(qtbot, dialog, runner, "book", "xlsx", out / "so.xlsx")
    dialog.set_period(start, end)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)
    with qtbot.waitSignal(dialog.sig_failed, timeout=30_000):
        dialog.export_button.click()
    assert dialog.errors.message(key) == message
    assert dialog.findChild(type(dialog.status), f"error_{key}").isVisible()
    assert list(out.iterdir()) == []
    assert dialog.export_button.isEnabled()
    assert not dialog.progress.isVisible()


class GatedReports:
    """The real report service; its progress callback waits at the first report until the test opens the gate.

    So the cancel lands while the export is surely under way, whatever the speed of the machine.
    """

    def __init__(self, real: Any) -> None:
        self.real = real
        self.gate = threading.Event()

    def list_book_fields(self, start: date, end: date) -> list[tuple[str, int]]:
        return list(self.real.list_book_fields(start, end))

    def export(self, *args: Any, progress: Any, **kwargs: Any) -> Any:
        def gated(done: int, total: int) -> None:
            progress(done, total)
            assert self.gate.wait(30)

        return self.real.export(*args, progress=gated, **kwargs)


def test_cancel_during_a_long_export_writes_nothing(
    qtbot: Any, copy: Services, runner: TaskRunner, tmp_path: Path
) -> None:
    assert copy.demo.generate(DEMO_DOSSIERS, seed=3) == DEMO_DOSSIERS
    reports = GatedReports(copy.reports)
    dialog = open_dialog(qtbot, SimpleNamespace(reports=reports, clock=copy.clock), runner)
    out = tmp_path / "out"
    out.mkdir()
    choose(qtbot, dialog, runner, "book", "xlsx", out / "so.xlsx")
    dialog.set_period(date(2020, 1, 1), date(2026, 4, 10))
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)
    total = sum(n for _f, n in copy.reports.list_book_fields(date(2020, 1, 1), date(2026, 4, 10)))
    assert total > DEMO_DOSSIERS
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    try:
        dialog.export_button.click()
        qtbot.waitUntil(lambda: dialog.progress.maximum() > 0, timeout=30_000)
        assert dialog.progress.maximum() == total
        assert 0 < dialog.progress.value() < total
        ticks.clear()
        qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5_000)  # the window lives while the export works
        assert dialog.running
        with qtbot.waitSignal(dialog.sig_cancelled, timeout=30_000):
            dialog.cancel_button.click()
            assert not dialog.cancel_button.isEnabled()
            reports.gate.set()
    finally:
        reports.gate.set()
        timer.stop()
    assert dialog.status.text() == CANCELLED
    assert list(out.iterdir()) == []
    assert not dialog.running and dialog.export_button.isEnabled()
    assert not dialog.open_file_button.isVisible()


def test_the_dashboard_opens_one_export_dialog(qtbot: Any, copy: Services, runner: TaskRunner) -> None:
    panel = DashboardPanel(copy, runner)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.export_button.text() == "Xuất báo cáo…"
    panel.export_button.click()
    dialog = panel.export_dialog
    assert isinstance(dialog, ReportExportDialog)
    assert dialog.isVisible() and not dialog.isModal()
    panel.export_button.click()
    assert panel.export_dialog is dialog
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)
    dialog.close()


@pytest.mark.parametrize("how", ["close", "escape"])
def test_closing_the_window_cancels_the_export(
    qtbot: Any, copy: Services, runner: TaskRunner, tmp_path: Path, how: str
) -> None:
    reports = GatedReports(copy.reports)
    dialog = open_dialog(qtbot, SimpleNamespace(reports=reports, clock=copy.clock), runner)
    out = tmp_path / "out"
    out.mkdir()
    choose(qtbot, dialog, runner, "book", "pdf", out / "so.pdf")  # the PDF reports progress while reading
    try:
        dialog.export_button.click()
        qtbot.waitUntil(lambda: dialog.progress.maximum() == BOOK_ROWS, timeout=30_000)
        with qtbot.waitSignal(dialog.sig_cancelled, timeout=30_000):
            if how == "close":
                dialog.close()
            else:
                qtbot.keyClick(dialog, Qt.Key.Key_Escape)
            assert not dialog.isVisible()
            reports.gate.set()
    finally:
        reports.gate.set()
    assert list(out.iterdir()) == []
