"""The "Xuất báo cáo" dialog: one report of a period as PDF or XLSX, written off the UI thread with progress and cancel.

The export runs on the TaskRunner's pool (it reads and renders, writing only the file and one audit event).
Progress comes back through a relay object the worker's call holds, by a queued signal; "Hủy" sets a
`threading.Event` that the service checks between pages of rows, and a cancelled export writes nothing.
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from counter_app.errors import ValidationError
from counter_app.services.reports.spreadsheets import ExportCancelled
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.reports.report_export_choices import (
    ALL_FIELDS,
    FORMATS,
    REPORTS,
    RUNNING_MONTH,
    ReportChoice,
    documents_folder,
    month_of,
    quick_periods,
    suggested_name,
)
from counter_app.ui.reports.report_export_form import ReportExportForm
from counter_app.ui.widgets.errors import show_error
from counter_app.ui.widgets.field_errors import FieldErrors

if TYPE_CHECKING:
    from counter_app.services.registry import Services
    from counter_app.services.reports.report_views import ExportResult

__all__ = [
    "ALL_FIELDS",
    "CANCELLED",
    "FORMATS",
    "NO_TARGET",
    "REPORTS",
    "RUNNING_MONTH",
    "ExportProgressRelay",
    "ReportChoice",
    "ReportExportDialog",
    "documents_folder",
    "month_of",
    "quick_periods",
    "suggested_name",
]

log = logging.getLogger(__name__)

CANCELLED = "Đã hủy, không có tệp nào được ghi."
NO_TARGET = "Chọn tệp để ghi báo cáo."
# the fields of a ValidationError of the service that have their message under a widget here
PLACED = frozenset({"from", "to", "format", "report", "field", "out"})


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

    def __init__(self, services: Services, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Xuất báo cáo")
        self.setMinimumWidth(560)
        self._services = services
        self._runner = runner
        self._cancel: threading.Event | None = None
        self._relay: ExportProgressRelay | None = None
        self.last_result: ExportResult | None = None
        self.open_url = QDesktopServices.openUrl  # replaceable, so a test can click "Mở" without launching a viewer
        self.errors = FieldErrors()
        self.form = ReportExportForm(services, runner, self.errors)
        self.form.sig_fields_loaded.connect(self._on_fields_loaded)
        # the choices, reached through the dialog by the dashboard and the tests
        f = self.form
        self.report, self.date_from, self.date_to, self.quick_buttons = (
            f.report,
            f.date_from,
            f.date_to,
            f.quick_buttons,
        )
        self.field, self.field_row, self.format, self.target = f.field, f.field_row, f.format, f.target
        self.browse_button = f.browse_button

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
        layout.addWidget(self.form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._set_busy(False)
        self._show_result_buttons(False)
        self.form.options_changed()
        self.load_fields()

    # --- choices (the form's) --------------------------------------------------------------------------------

    @property
    def report_key(self) -> str:
        return self.form.report_key

    @property
    def fmt(self) -> str:
        return self.form.fmt

    def period(self) -> tuple[date, date]:
        return self.form.period()

    def set_period(self, start: date, end: date) -> None:
        self.form.set_period(start, end)

    def select_report(self, key: str) -> None:
        self.form.select_report(key)

    def select_format(self, fmt: str) -> None:
        self.form.select_format(fmt)

    def select_field(self, field: str | None) -> None:
        self.form.select_field(field)

    def target_path(self) -> Path | None:
        return self.form.target_path()

    def set_target(self, path: Path) -> None:
        """The file to write, as if the clerk had chosen it."""
        self.form.set_target(path)

    def choose_target(self) -> None:
        self.form.choose_target()

    def load_fields(self) -> None:
        """List the fields of the period off the UI thread; an answer for an older period is dropped."""
        self.form.load_fields()

    def _on_fields_loaded(self, fields: object) -> None:
        emit(self.sig_fields_loaded, fields)

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

    def _on_done(self, result: ExportResult) -> None:
        self._finish()
        if self.progress.maximum() == 0:  # the service gave no figure: the work is nonetheless all done
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
        self.last_result = result
        label = next(r.label for r in REPORTS if r.key == result.report)
        self.status.setText(f"Đã xuất {label} ({result.rows} hồ sơ) vào {result.path}")
        self._show_result_buttons(True)
        emit(self.sig_finished, result)

    def _on_error(self, exc: object) -> None:
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
            show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))
        emit(self.sig_failed, exc)

    def _set_busy(self, busy: bool) -> None:
        for widget in self.form.inputs:
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
        if not self.running:
            self.form.roll_default_period()
        super().showEvent(event)

    # Closing the window (title bar, "Đóng" or Esc) stops a running export: a file nobody sees being made
    # would otherwise keep the computer busy, and hold the application open at exit until it is written.
    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.cancel_export()
        super().closeEvent(event)

    def reject(self) -> None:
        self.cancel_export()
        super().reject()
