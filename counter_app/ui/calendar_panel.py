"""The "Lịch làm việc" tab: a year's days off and swapped working Saturdays, and whether it is an estimate."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.calendar import CalendarYear
from counter_app.ui.formatting import vn_date, weekday
from counter_app.ui.qt_compat import emit
from counter_app.ui.task_runner import TaskRunner

DAY_OFF = "Ngày nghỉ"
WORKING_DAY = "Ngày làm việc bù"


class CalendarPanel(QWidget):
    sig_loaded = Signal(int)
    """A year was shown: the year."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Any = None
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
        top = QHBoxLayout()
        top.addWidget(self.year)
        top.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.source)
        layout.addWidget(self.table)
        self.year.valueChanged.connect(self._load)

    def set_services(self, services: Any) -> None:
        self._services = services
        current = services.context.clock.now().year
        self.year.setEnabled(True)
        if self.year.value() == current:
            self._load(current)
        else:
            self.year.setValue(current)

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
