"""The "Lịch làm việc" tab: a year's days off and swapped working Saturdays, and whether it is an estimate.

An administrator also imports a year's official decision here: choose the file, see its days and what changes
against the year as known, then confirm. Other roles do not see the action (the service refuses it anyway).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.calendar import CalendarYear
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import show_error
from counter_app.ui.widgets.formatting import vn_date, weekday

if TYPE_CHECKING:
    from counter_app.services.catalogue.working_calendar import CalendarImportPreview
    from counter_app.services.registry import Services

DAY_OFF = "Ngày nghỉ"
WORKING_DAY = "Ngày làm việc bù"


class DecisionPreview(QDialog):
    """The days of an imported decision, marked where they differ from the year as known; confirm or cancel."""

    def __init__(self, preview: CalendarImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        new: CalendarYear = preview.new
        current: CalendarYear = preview.current
        self.setWindowTitle(f"Nhập quyết định lịch làm việc năm {new.year}")
        self.setMinimumSize(640, 480)
        known = "lịch ước tính" if current.estimated else f"lịch phiên bản {current.version}"
        self.summary = QLabel(
            f"Năm {new.year}, phiên bản {new.version}: {len(new.days_off)} ngày nghỉ, "
            f"{len(new.working_days)} ngày làm việc bù. Thay cho {known}: thêm {len(preview.added_off)} ngày nghỉ, "
            f"bỏ {len(preview.removed_off)} ngày nghỉ, thêm {len(preview.added_working)} và bỏ "
            f"{len(preview.removed_working)} ngày làm việc bù."
        )
        self.summary.setWordWrap(True)
        source = QLabel(f"Nguồn: {new.source}")
        source.setObjectName("hint")
        source.setWordWrap(True)
        added = {d.date for d in (*preview.added_off, *preview.added_working)}
        removed = [(d, DAY_OFF) for d in preview.removed_off] + [(d, WORKING_DAY) for d in preview.removed_working]
        entries = sorted(
            [(d.date, DAY_OFF, d.name, "Mới" if d.date in added else "") for d in new.days_off]
            + [(d.date, WORKING_DAY, d.name, "Mới" if d.date in added else "") for d in new.working_days]
            + [(d.date, kind, d.name, "Bỏ") for d, kind in removed]
        )
        self.table = QTableWidget(len(entries), 5)
        self.table.setHorizontalHeaderLabels(["Ngày", "Thứ", "Loại", "Tên ngày", "Thay đổi"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for column in (0, 1, 2, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for row, (day, kind, name, change) in enumerate(entries):
            for column, text in enumerate((vn_date(day), weekday(day), kind, name, change)):
                item = QTableWidgetItem(text)
                if change == "Bỏ":
                    item.setForeground(QBrush(QColor("#888888")))
                elif change:
                    item.setForeground(QBrush(QColor("#005a9c")))
                self.table.setItem(row, column, item)
        note = QLabel(
            "Hồ sơ đã tiếp nhận giữ nguyên ngày hẹn trả; chỉ các ngày hẹn tính sau khi nhập dùng lịch mới. "
            "Lịch do máy chủ trung tâm công bố sẽ thay thế lịch này ở lần đồng bộ tới."
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.confirm_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.confirm_button.setText("Nhập lịch")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(source)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(self.buttons)


class CalendarPanel(QWidget):
    sig_loaded = Signal(int)
    """A year was shown: the year."""
    sig_preview_ready = Signal(object)
    """A decision file was read and checked: the preview dialog, open and waiting for confirmation."""
    sig_imported = Signal(int)
    """A decision was imported: its year."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Services | None = None
        self.year = QSpinBox(minimum=2000, maximum=2100)
        self.year.setPrefix("Năm ")
        self.year.setEnabled(False)
        self.status = QLabel()
        self.status.setObjectName("calendarStatus")
        self.status.setWordWrap(True)
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setObjectName("hint")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Ngày", "Thứ", "Loại", "Tên ngày"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.import_button = QPushButton("Nhập quyết định…")
        self.import_button.setToolTip(
            "Nhập quyết định chính thức về ngày nghỉ và ngày làm việc bù của một năm (tệp JSON)"
        )
        self.import_button.hide()  # shown once the services say the signed-in role may import a calendar
        self.preview_dialog: DecisionPreview | None = None
        top = QHBoxLayout()
        top.addWidget(self.year)
        top.addWidget(self.status, 1)
        top.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.source)
        layout.addWidget(self.table)
        self.year.valueChanged.connect(self._load)
        self.import_button.clicked.connect(self.choose_decision)

    def set_services(self, services: Services) -> None:
        self._services = services
        current = services.clock.now().year
        self.year.setEnabled(True)
        self.refresh_permissions()
        if self.year.value() == current:
            self._load(current)
        else:
            self.year.setValue(current)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)  # another account may have signed in: the action follows its role
        self.refresh_permissions()

    def refresh_permissions(self) -> None:
        if self._services is not None:
            self._runner.run_pooled(self._services.calendar.may_import_decisions, on_done=self.import_button.setVisible)

    # importing a decision
    def choose_decision(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Chọn tệp quyết định lịch làm việc", "", "Tệp lịch (*.json);;Mọi tệp (*)"
        )
        if path:
            self.preview_decision(Path(path))

    def preview_decision(self, path: Path) -> None:
        """Read and check the file off the UI thread, then show its days for confirmation."""
        if self._services is None:
            return
        self.import_button.setEnabled(False)
        self._runner.run_pooled(
            self._services.calendar.preview_file, path, on_done=self._show_preview, on_error=self._on_failed
        )

    def _show_preview(self, preview: CalendarImportPreview) -> None:
        self.import_button.setEnabled(True)
        dialog = DecisionPreview(preview, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._import(preview))
        dialog.destroyed.connect(self._forget_preview)
        self.preview_dialog = dialog
        dialog.open()
        emit(self.sig_preview_ready, dialog)

    def _forget_preview(self) -> None:
        self.preview_dialog = None

    def _import(self, preview: Any) -> None:
        if self._services is None:
            return
        self._runner.run_serial(
            self._services.calendar.import_year, preview.new, on_done=self._on_imported, on_error=self._on_failed
        )

    def _on_imported(self, cal: CalendarYear) -> None:
        if self.year.value() == cal.year:
            self._load(cal.year)
        else:
            self.year.setValue(cal.year)
        emit(self.sig_imported, cal.year)

    def _on_failed(self, exc: object) -> None:
        self.import_button.setEnabled(True)
        show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    def _load(self, year: int) -> None:
        if self._services is not None:
            self._runner.run_pooled(self._services.calendar.get_year, year, on_done=self._show)

    def _show(self, cal: CalendarYear) -> None:
        if cal.year != self.year.value():
            return
        if cal.estimated:
            self.status.setText(
                f"Năm {cal.year}: lịch ƯỚC TÍNH theo quy tắc của Bộ luật Lao động — chưa có quyết định chính "
                "thức; hạn trả tính theo lịch này được đánh dấu là ước tính."
            )
            self.status.setStyleSheet("color: #a15c00; font-weight: bold;")
        else:
            self.status.setText(f"Năm {cal.year}: lịch chính thức, phiên bản {cal.version}.")
            self.status.setStyleSheet("")
        self.source.setText(f"Nguồn: {cal.source}")
        entries = sorted(
            [(d.date, DAY_OFF, d.name) for d in cal.days_off]
            + [(d.date, WORKING_DAY, d.name) for d in cal.working_days]
        )
        self.table.setRowCount(len(entries))
        for row, (day, kind, name) in enumerate(entries):
            cells = (vn_date(day), weekday(day), kind, name)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if kind == WORKING_DAY:
                    item.setForeground(QBrush(QColor("#005a9c")))
                if column < 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
        emit(self.sig_loaded, cal.year)
