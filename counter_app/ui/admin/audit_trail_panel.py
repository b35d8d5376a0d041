"""AuditTrailPanel: the whole record of actions (who, what, when, which dossier), filtered and paged, and the
verification of the audit chain with its verdict in words; for a supervisor or an administrator."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.clock import VN_TZ, to_vn
from counter_app.services.audit.audit_trail import KIND_FAMILIES, TrailPage, TrailQuery
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import user_message
from counter_app.ui.widgets.field_errors import ERROR_STYLE
from counter_app.ui.widgets.formatting import vn_moment

if TYPE_CHECKING:
    from counter_app.services.registry import Services

COLUMNS = ("Thời điểm", "Người thực hiện", "Thao tác", "Hồ sơ", "Quầy", "Số thứ tự")
OK_STYLE = "color: #1b5e20; font-weight: bold;"
ALL_PEOPLE = "Mọi người"


def _read(services: Services, query: TrailQuery) -> tuple[list[str], TrailPage]:
    """Runs in a worker: the people who recorded something (the filter's choices) and the page, together."""
    return services.audit.list_trail_clerks(), services.audit.list_trail(query)


def _day(edit: QDateEdit) -> date:
    chosen = edit.date()
    return date(chosen.year(), chosen.month(), chosen.day())


class AuditTrailPanel(QWidget):
    sig_loaded = Signal(object)
    """A page of the trail was read and shown: the TrailPage."""
    sig_verified = Signal(bool, str)
    """The verification finished: whether all is intact, and the verdict in words."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Services | None = None
        self.page: TrailPage | None = None
        self._page_number = 0
        self.person_combo = QComboBox()
        self.person_combo.addItem(ALL_PEOPLE, "")
        self.kind_combo = QComboBox()
        for label, prefix in KIND_FAMILIES:
            self.kind_combo.addItem(label, prefix)
        self.dossier_edit = QLineEdit(placeholderText="Mã hồ sơ hoặc số phiếu (một phần cũng được)")
        self.dossier_edit.setClearButtonEnabled(True)
        self.by_date = QCheckBox("Từ ngày")
        self.since_edit, self.until_edit = QDateEdit(), QDateEdit()
        for edit in (self.since_edit, self.until_edit):
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setCalendarPopup(True)
        self.filter_button = QPushButton("Lọc")
        self.filter_button.setDefault(True)
        self.filter_button.clicked.connect(self.apply_filter)
        self.dossier_edit.returnPressed.connect(self.apply_filter)
        filters = QHBoxLayout()
        row: tuple[QWidget, ...] = (QLabel("Người:"), self.person_combo, QLabel("Thao tác:"), self.kind_combo)
        row += (self.dossier_edit, self.by_date, self.since_edit, QLabel("đến"), self.until_edit, self.filter_button)
        for widget in row:
            filters.addWidget(widget)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("audit_trail_table")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.previous_button = QPushButton("‹ Trang trước")
        self.next_button = QPushButton("Trang sau ›")
        self.previous_button.clicked.connect(lambda: self._go(-1))
        self.next_button.clicked.connect(lambda: self._go(1))
        self.page_label = QLabel()
        self.verify_button = QPushButton("Kiểm tra tính toàn vẹn của nhật ký")
        self.verify_button.clicked.connect(self.verify)
        self.verdict = QLabel()
        self.verdict.setObjectName("audit_verdict")
        self.verdict.setWordWrap(True)
        paging = QHBoxLayout()
        for part in (self.previous_button, self.page_label, self.next_button):
            paging.addWidget(part)
        paging.addStretch(1)
        paging.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(paging)
        layout.addWidget(self.verdict)

    def set_services(self, services: Services) -> None:
        """The services, kept; the trail is read when the place is shown (refresh)."""
        self._services = services
        today = to_vn(services.clock.now()).date()
        self.until_edit.setDate(QDate(today.year, today.month, today.day))
        start = today - timedelta(days=30)
        self.since_edit.setDate(QDate(start.year, start.month, start.day))

    def refresh(self) -> None:
        """Read the page in view again, and the people who recorded something (for the filter)."""
        if self._services is None:
            return
        self._runner.run_pooled(_read, self._services, self.query(), on_done=self._show, on_error=self._refused)

    def apply_filter(self) -> None:
        self._page_number = 0
        self.refresh()

    def query(self) -> TrailQuery:
        since = until = None
        if self.by_date.isChecked():
            since = datetime.combine(_day(self.since_edit), time(0), VN_TZ)
            until = datetime.combine(_day(self.until_edit), time(0), VN_TZ) + timedelta(days=1)
        return TrailQuery(
            clerk=str(self.person_combo.currentData() or ""),
            kind_prefix=str(self.kind_combo.currentData() or ""),
            dossier=self.dossier_edit.text(),
            since=since,
            until=until,
            page=self._page_number,
        )

    def verify(self) -> None:
        if self._services is None:
            return
        self.verify_button.setEnabled(False)
        self.verdict.setStyleSheet("")
        self.verdict.setText("Đang kiểm tra nhật ký…")
        self._runner.run_pooled(self._services.audit.verify_in_words, on_done=self._verified, on_error=self._refused)

    # results
    def _go(self, step: int) -> None:
        if self.page is not None:
            self._page_number = min(max(0, self.page.page + step), self.page.pages - 1)
            self.refresh()

    def _show_people(self, people: list[str]) -> None:
        chosen = self.person_combo.currentData()
        self.person_combo.clear()
        self.person_combo.addItem(ALL_PEOPLE, "")
        for name in people:
            self.person_combo.addItem(name, name)
        self.person_combo.setCurrentIndex(max(0, self.person_combo.findData(chosen)))

    def _show(self, read: tuple[list[str], TrailPage]) -> None:
        people, page = read
        self._show_people(people)
        self.page = page
        self.table.setRowCount(len(page.entries))
        for row, entry in enumerate(page.entries):
            cells = (
                vn_moment(entry.occurred_at),
                entry.clerk or "—",
                entry.what,
                entry.dossier_code or "—",
                entry.counter,
                str(entry.seq),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setToolTip(entry.kind)
                self.table.setItem(row, column, item)
        self.page_label.setText(f"Trang {page.page + 1}/{page.pages} · {page.total} thao tác")
        self.previous_button.setEnabled(page.page > 0)
        self.next_button.setEnabled(page.page + 1 < page.pages)
        emit(self.sig_loaded, page)

    def _verified(self, result: tuple[bool, str]) -> None:
        ok, text = result
        self.verify_button.setEnabled(True)
        self.verdict.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.verdict.setText(text)
        emit(self.sig_verified, ok, text)

    def _refused(self, exc: object) -> None:
        self.verify_button.setEnabled(True)
        self.verdict.setStyleSheet(ERROR_STYLE)
        self.verdict.setText(user_message(exc) if isinstance(exc, BaseException) else str(exc))
