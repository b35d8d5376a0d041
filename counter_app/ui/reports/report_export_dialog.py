"""The "Xuất báo cáo" dialog: one report of a period as PDF or XLSX, written off the UI thread with progress and cancel.

The export runs on the TaskRunner's pool (it reads and renders, writing only the file and one audit event).
Progress comes back through a relay object the worker's call holds, by a queued signal; "Hủy" sets a
`threading.Event` that the service checks between pages of rows, and a cancelled export writes nothing.
"""

from __future__ import annotations

import logging
import threading
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.clock import VN_TZ, to_vn
from counter_app.errors import ValidationError
from counter_app.services.reports.spreadsheets import ExportCancelled
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import show_error
from counter_app.ui.widgets.field_errors import FieldErrors, add_field

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportChoice:
    key: str  # as services.reports.export names it
    label: str
    file_stem: str  # ASCII: file names travel by USB sticks and e-mail to machines with other code pages


REPORTS = (
    ReportChoice("book", "Sổ theo dõi hồ sơ (Mẫu 07)", "so-theo-doi"),
    ReportChoice("stats", "Báo cáo thống kê", "thong-ke"),
    ReportChoice("late", "Báo cáo hồ sơ quá hạn", "ho-so-qua-han"),
)
FORMATS = (("pdf", "PDF (.pdf)"), ("xlsx", "Excel (.xlsx)"))
ALL_FIELDS = "Tất cả lĩnh vực"
CANCELLED = "Đã hủy, không có tệp nào được ghi."
NO_TARGET = "Chọn tệp để ghi báo cáo."
# the fields of a ValidationError of the service that have their message under a widget here
PLACED = frozenset({"from", "to", "format", "report", "field", "out"})


def month_of(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])


RUNNING_MONTH = "Tháng này"  # the quick choice that is also the default period


def quick_periods(today: date) -> dict[str, tuple[date, date]]:
    """The quick choices: the running month, quarter and year up to today, and the whole previous month."""
    last_month = month_of(today.replace(day=1) - timedelta(days=1))
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return {
        RUNNING_MONTH: (today.replace(day=1), today),
        "Tháng trước": last_month,
        "Quý này": (quarter_start, today),
        "Năm nay": (date(today.year, 1, 1), today),
    }


def suggested_name(report: str, fmt: str, start: date, end: date) -> str:
    """so-theo-doi-2026-11.pdf for a whole month (or the running one), else with both days."""
    stem = next(r.file_stem for r in REPORTS if r.key == report)
    if start.day == 1 and (start.year, start.month) == (end.year, end.month):
        period = f"{start:%Y-%m}"
    else:
        period = f"{start:%Y-%m-%d}_{end:%Y-%m-%d}"
    return f"{stem}-{period}.{fmt}"


def documents_folder() -> Path:
    located = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(located) if located else Path.home()


def _fields_of(
    reports: Any, request: int, start: date, end: date
) -> tuple[int, list[tuple[str, int]] | ValidationError]:
    """Runs in a worker: the fields of the period, or why the period is not valid (shown under its date)."""
    try:
        return request, reports.list_book_fields(start, end)
    except ValidationError as exc:
        return request, exc


def _to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


class ExportProgressRelay(QObject):
    """Carries the service's progress(done, total) from the worker thread to the UI thread by a queued signal."""

    sig_progress = Signal(int, int)
    """Rows done and rows in all (0: not known yet)."""

    def report(self, done: int, total: int) -> None:
        emit(self.sig_progress, done, total)


class ReportExportDialog(QDialog):
    """Chooses a report, a period, a field (for the book), a format and a file; exports with progress and cancel."""

    sig_finished = Signal(object)
    """The file is written: the service's ExportResult."""
    sig_cancelled = Signal()
    """The export was cancelled; nothing was written."""
    sig_failed = Signal(object)
    """The export failed (also shown): the exception."""
    sig_fields_loaded = Signal(object)
    """The fields of the period were listed: [(field, dossiers)]."""

    def __init__(self, services: Any, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Xuất báo cáo")
        self.setMinimumWidth(560)
        self._services = services
        self._runner = runner
        self._cancel: threading.Event | None = None
        self._relay: ExportProgressRelay | None = None
        self._target_chosen = False  # the clerk picked the file: keep it, only its suffix follows the format
        self._fields_request = 0
        self.last_result: Any = None
        self.open_url = QDesktopServices.openUrl  # replaceable, so a test can click "Mở" without launching a viewer
        self.errors = FieldErrors()
        today = self._today()

        form = QFormLayout()
        self.report = QComboBox()
        self.report.setObjectName("report")
        for choice in REPORTS:
            self.report.addItem(choice.label, choice.key)
        add_field(form, "Báo cáo", self.report, self.errors, "report")

        self.date_from = self._date_edit("dateFrom", quick_periods(today)[RUNNING_MONTH][0])
        self.date_to = self._date_edit("dateTo", today)
        self._default_day = today  # the running month up to this day is the default period
        dates = QHBoxLayout()
        dates.setContentsMargins(0, 0, 0, 0)
        dates_box = QWidget()
        dates_box.setLayout(dates)
        for caption, edit, key in (("Từ ngày", self.date_from, "from"), ("đến ngày", self.date_to, "to")):
            column = QVBoxLayout()
            column.setSpacing(2)
            row = QHBoxLayout()
            row.addWidget(QLabel(caption))
            row.addWidget(edit, 1)
            column.addLayout(row)
            column.addWidget(self.errors.label_for(key, edit))
            column.addStretch(1)  # a message under one date does not move the other
            dates.addLayout(column, 1)
        form.addRow("Kỳ báo cáo", dates_box)
        quick = QHBoxLayout()
        self.quick_buttons: dict[str, QPushButton] = {}
        for caption in quick_periods(today):
            button = QPushButton(caption)
            # the day is read at the click: the dialog is kept for the whole sign-in, which may span midnight
            button.clicked.connect(lambda _checked=False, c=caption: self.set_period(*quick_periods(self._today())[c]))
            quick.addWidget(button)
            self.quick_buttons[caption] = button
        quick.addStretch(1)
        form.addRow("", quick)

        self.field = QComboBox()
        self.field.setObjectName("field")
        self.field.addItem(ALL_FIELDS, None)
        self.field_row = add_field(form, "Lĩnh vực", self.field, self.errors, "field")

        self.format = QComboBox()
        self.format.setObjectName("format")
        for key, label in FORMATS:
            self.format.addItem(label, key)
        add_field(form, "Định dạng", self.format, self.errors, "format")

        self.target = QLineEdit()
        self.target.setObjectName("target")
        self.browse_button = QPushButton("Chọn…")
        self.browse_button.clicked.connect(self.choose_target)
        target_row = QHBoxLayout()
        target_row.setContentsMargins(0, 0, 0, 0)
        target_row.addWidget(self.target, 1)
        target_row.addWidget(self.browse_button)
        target_box = QWidget()
        target_box.setLayout(target_row)
        add_field(form, "Lưu vào tệp", target_box, self.errors, "out")

        self.progress = QProgressBar()
        self.progress.setObjectName("exportProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setObjectName("exportStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.open_file_button = QPushButton("Mở tệp")
        self.open_file_button.clicked.connect(self.open_file)
        self.open_folder_button = QPushButton("Mở thư mục")
        self.open_folder_button.clicked.connect(self.open_folder)
        self.export_button = QPushButton("Xuất")
        self.export_button.setObjectName("export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.cancel_button = QPushButton("Hủy")
        self.cancel_button.setObjectName("cancelExport")
        self.cancel_button.clicked.connect(self.cancel_export)
        self.close_button = QPushButton("Đóng")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_file_button)
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        for button in (self.export_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self._inputs: tuple[QWidget, ...] = (
            self.report,
            self.date_from,
            self.date_to,
            self.field,
            self.format,
            self.target,
            self.browse_button,
            *self.quick_buttons.values(),
        )
        self.report.currentIndexChanged.connect(self._options_changed)
        self.format.currentIndexChanged.connect(self._options_changed)
        self.date_from.dateChanged.connect(self._period_changed)
        self.date_to.dateChanged.connect(self._period_changed)
        self._set_busy(False)
        self._show_result_buttons(False)
        self._options_changed()
        self.load_fields()

    def _date_edit(self, name: str, value: date) -> QDateEdit:
        edit = QDateEdit(_to_qdate(value))
        edit.setObjectName(name)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setCalendarPopup(True)
        return edit

    def _today(self) -> date:
        context = getattr(self._services, "context", None)
        if context is not None:
            return to_vn(context.clock.now()).date()
        return datetime.now(VN_TZ).date()

    # --- choices ---------------------------------------------------------------------------------------------

    @property
    def report_key(self) -> str:
        return str(self.report.currentData())

    @property
    def fmt(self) -> str:
        return str(self.format.currentData())

    def period(self) -> tuple[date, date]:
        return _to_date(self.date_from.date()), _to_date(self.date_to.date())

    def set_period(self, start: date, end: date) -> None:
        self.date_from.setDate(_to_qdate(start))
        self.date_to.setDate(_to_qdate(end))

    def select_report(self, key: str) -> None:
        self.report.setCurrentIndex(self.report.findData(key))

    def select_format(self, fmt: str) -> None:
        self.format.setCurrentIndex(self.format.findData(fmt))

    def select_field(self, field: str | None) -> None:
        self.field.setCurrentIndex(self.field.findData(field) if field is not None else 0)

    def target_path(self) -> Path | None:
        text = self.target.text().strip()
        return Path(text).expanduser() if text else None

    def set_target(self, path: Path) -> None:
        """The file to write, as if the clerk had chosen it."""
        self.target.setText(str(path))
        self._target_chosen = True

    def _options_changed(self, *_args: Any) -> None:
        self.field_row.setEnabled(self.report_key == "book")
        self.errors.clear("format")
        self.errors.clear("report")
        self._suggest_target()

    def _period_changed(self, *_args: Any) -> None:
        self.errors.clear("from")
        self.errors.clear("to")
        self._suggest_target()
        self.load_fields()

    def _suggest_target(self) -> None:
        start, end = self.period()
        current = self.target_path()
        if self._target_chosen and current is not None:
            self.target.setText(str(current.with_suffix(f".{self.fmt}")))
            return
        folder = current.parent if current is not None else documents_folder()
        self.target.setText(str(folder / suggested_name(self.report_key, self.fmt, start, end)))

    def choose_target(self) -> None:
        current = self.target_path() or documents_folder()
        wanted = "Excel (*.xlsx)" if self.fmt == "xlsx" else "PDF (*.pdf)"
        chosen, _filter = QFileDialog.getSaveFileName(self, "Lưu báo cáo", str(current), wanted)
        if chosen:
            path = Path(chosen)
            if path.suffix.lower() != f".{self.fmt}":
                path = path.with_name(path.name + f".{self.fmt}")
            self.set_target(path)
            self.errors.clear("out")

    # --- fields of the book ----------------------------------------------------------------------------------

    def load_fields(self) -> None:
        """List the fields of the period off the UI thread; an answer for an older period is dropped."""
        self._fields_request += 1
        start, end = self.period()
        self._runner.run_pooled(
            _fields_of,
            self._services.reports,
            self._fields_request,
            start,
            end,
            on_done=self._fill_fields,
            on_error=self._fields_failed,
        )

    def _fill_fields(self, answer: tuple[int, list[tuple[str, int]] | ValidationError]) -> None:
        request, fields = answer
        if request != self._fields_request:
            return
        if isinstance(fields, ValidationError):
            if fields.field in ("from", "to"):
                self.errors.show({fields.field: fields.message})  # seen before "Xuất" is pressed
            return
        chosen = self.field.currentData()
        self.field.blockSignals(True)
        self.field.clear()
        self.field.addItem(ALL_FIELDS, None)
        for name, count in fields:
            self.field.addItem(f"{name or '(không ghi lĩnh vực)'} ({count} hồ sơ)", name)
        index = self.field.findData(chosen) if chosen is not None else 0
        self.field.setCurrentIndex(max(index, 0))
        self.field.blockSignals(False)
        emit(self.sig_fields_loaded, fields)

    def _fields_failed(self, exc: Any) -> None:
        # the list only helps to choose; the export itself reports what is wrong
        log.warning("listing the fields of the book failed: %s", type(exc).__name__)

    # --- export ----------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def start_export(self) -> None:
        if self.running:
            return
        self.errors.clear()
        out = self.target_path()
        if out is None:
            self.errors.show({"out": NO_TARGET})
            return
        if out.suffix.lower() != f".{self.fmt}":
            out = out.with_name(out.name + f".{self.fmt}")
            self.target.setText(str(out))
        start, end = self.period()
        report = self.report_key
        field = self.field.currentData() if report == "book" else None
        cancel = threading.Event()
        relay = ExportProgressRelay()  # no parent: the worker's call keeps it alive whatever happens to the dialog
        relay.sig_progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._cancel, self._relay = cancel, relay
        self.last_result = None
        self._show_result_buttons(False)
        self.progress.setRange(0, 0)  # busy until the first report of the service
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.status.setText("Đang xuất báo cáo…")
        self._set_busy(True)
        self._runner.run_pooled(
            self._services.reports.export,
            report,
            start,
            end,
            self.fmt,
            out,
            field=field,
            progress=relay.report,
            cancel=cancel,
            on_done=self._on_done,
            on_error=self._on_error,
        )

    def cancel_export(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.status.setText("Đang hủy…")

    def _on_progress(self, done: int, total: int) -> None:
        if not self.running:
            return  # a late report of an export already over
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        else:
            self.progress.setRange(0, 0)

    def _finish(self) -> None:
        self._cancel = None
        self._relay = None
        self._set_busy(False)

    def _on_done(self, result: Any) -> None:
        self._finish()
        if self.progress.maximum() == 0:  # the service gave no figure: the work is nonetheless all done
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
        self.last_result = result
        label = next(r.label for r in REPORTS if r.key == result.report)
        self.status.setText(f"Đã xuất {label} ({result.rows} hồ sơ) vào {result.path}")
        self._show_result_buttons(True)
        emit(self.sig_finished, result)

    def _on_error(self, exc: Any) -> None:
        self._finish()
        self.progress.setVisible(False)
        if isinstance(exc, ExportCancelled):
            self.status.setText(CANCELLED)
            emit(self.sig_cancelled)
            return
        self.status.clear()
        if isinstance(exc, ValidationError) and exc.field in PLACED:
            self.errors.show({exc.field: exc.message})
        else:
            show_error(self, exc)
        emit(self.sig_failed, exc)

    def _set_busy(self, busy: bool) -> None:
        for widget in self._inputs:
            widget.setEnabled(not busy)
        if not busy:
            self.field_row.setEnabled(self.report_key == "book")
        self.export_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def _show_result_buttons(self, shown: bool) -> None:
        self.open_file_button.setVisible(shown)
        self.open_folder_button.setVisible(shown)

    def open_file(self) -> None:
        if self.last_result is not None:
            self.open_url(QUrl.fromLocalFile(str(self.last_result.path)))

    def open_folder(self) -> None:
        if self.last_result is not None:
            self.open_url(QUrl.fromLocalFile(str(Path(self.last_result.path).parent)))

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        """Shown again on a later day (the dashboard keeps the dialog): a period the clerk left at its default, the
        running month, becomes the running month of the new day; one the clerk chose stays."""
        today = self._today()
        if today != self._default_day and not self.running:
            if self.period() == quick_periods(self._default_day)[RUNNING_MONTH]:
                self.set_period(*quick_periods(today)[RUNNING_MONTH])
            self._default_day = today
        super().showEvent(event)

    # Closing the window (title bar, "Đóng" or Esc) stops a running export: a file nobody sees being made
    # would otherwise keep the computer busy, and hold the application open at exit until it is written.
    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.cancel_export()
        super().closeEvent(event)

    def reject(self) -> None:
        self.cancel_export()
        super().reject()
