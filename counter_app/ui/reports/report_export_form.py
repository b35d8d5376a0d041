"""ReportExportForm: the export dialog's form — report, period, field of the book, format and file."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.clock import to_vn
from counter_app.errors import ValidationError
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.reports.report_export_choices import (
    ALL_FIELDS,
    FORMATS,
    REPORTS,
    RUNNING_MONTH,
    documents_folder,
    quick_periods,
    suggested_name,
    to_date,
    to_qdate,
)
from counter_app.ui.widgets.field_errors import FieldErrors, add_field

if TYPE_CHECKING:
    from counter_app.services.registry import Services
    from counter_app.services.reports.period_reports import ReportService

log = logging.getLogger(__name__)


def _fields_of(
    reports: ReportService, request: int, start: date, end: date
) -> tuple[int, list[tuple[str, int]] | ValidationError]:
    """Runs in a worker: the fields of the period, or why the period is not valid (shown under its date)."""
    try:
        return request, reports.list_book_fields(start, end)
    except ValidationError as exc:
        return request, exc


class ReportExportForm(QWidget):
    """The choices of one export; the file name follows them until the clerk picks a file."""

    sig_fields_loaded = Signal(object)
    """The fields of the period were listed: [(field, dossiers)]."""

    def __init__(
        self, services: Services, runner: TaskRunner, errors: FieldErrors, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._target_chosen = False  # the clerk picked the file: keep it, only its suffix follows the format
        self._fields_request = 0
        self.errors = errors
        today = self._today()

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)  # laid out as the dialog's own form was
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

        self.inputs: tuple[QWidget, ...] = (
            self.report,
            self.date_from,
            self.date_to,
            self.field,
            self.format,
            self.target,
            self.browse_button,
            *self.quick_buttons.values(),
        )
        self.report.currentIndexChanged.connect(self.options_changed)
        self.format.currentIndexChanged.connect(self.options_changed)
        self.date_from.dateChanged.connect(self._period_changed)
        self.date_to.dateChanged.connect(self._period_changed)

    def _date_edit(self, name: str, value: date) -> QDateEdit:
        edit = QDateEdit(to_qdate(value))
        edit.setObjectName(name)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setCalendarPopup(True)
        return edit

    def _today(self) -> date:
        return to_vn(self._services.clock.now()).date()

    def roll_default_period(self) -> None:
        """Shown again on a later day: a period left at its default, the running month, becomes the running month
        of the new day; one the clerk chose stays."""
        today = self._today()
        if today != self._default_day:
            if self.period() == quick_periods(self._default_day)[RUNNING_MONTH]:
                self.set_period(*quick_periods(today)[RUNNING_MONTH])
            self._default_day = today

    # --- choices ---------------------------------------------------------------------------------------------

    @property
    def report_key(self) -> str:
        return str(self.report.currentData())

    @property
    def fmt(self) -> str:
        return str(self.format.currentData())

    def period(self) -> tuple[date, date]:
        return to_date(self.date_from.date()), to_date(self.date_to.date())

    def set_period(self, start: date, end: date) -> None:
        self.date_from.setDate(to_qdate(start))
        self.date_to.setDate(to_qdate(end))

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

    def options_changed(self, *_args: Any) -> None:
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

    def _fields_failed(self, exc: object) -> None:
        # the list only helps to choose; the export itself reports what is wrong
        log.warning("listing the fields of the book failed: %s", type(exc).__name__)
