"""The "Danh mục thủ tục" tab: procedures with their processing time, fee and papers, searchable without marks."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.views import ProcedureView
from counter_app.ui.formatting import money, processing_text
from counter_app.ui.qt_compat import emit
from counter_app.ui.task_runner import TaskRunner

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
PROCEDURE_COLUMNS = ("Mã TTHC", "Tên thủ tục", "Lĩnh vực", "Thời hạn giải quyết", "Lệ phí")
PROCEDURE_ROLE = Qt.ItemDataRole.UserRole


class ProcedureTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ProcedureView] = []

    def set_procedures(self, procedures: list[ProcedureView]) -> None:
        self.beginResetModel()
        self._rows = list(procedures)
        self.endResetModel()

    def procedure_at(self, row: int) -> ProcedureView:
        return self._rows[row]

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(PROCEDURE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802 - Qt override
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return PROCEDURE_COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        proc = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                proc.code,
                proc.name,
                proc.field,
                processing_text(proc.days, proc.same_day_cutoff),
                money(proc.fee),
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            demo = "\nDữ liệu minh họa" if proc.demo else ""
            return f"{proc.name}\n{proc.field} · Cơ quan giải quyết: {proc.deciding_agency}{demo}"
        if role == PROCEDURE_ROLE:
            return proc
        return None


class CataloguePanel(QWidget):
    """Procedures on top, the selected one's papers (originals and copies) below."""

    sig_loaded = Signal(int)
    """The procedure list was (re)loaded: how many procedures it shows."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Any = None
        self._generation = 0
        self.search = QLineEdit(placeholderText="Lọc theo tên thủ tục (gõ không dấu cũng được) hoặc mã TTHC")
        self.search.setClearButtonEnabled(True)
        self.model = ProcedureTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # long fields and agencies are cut (full text in the tooltip) so the name keeps the room
        for column, width in ((2, 140),):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width)
        self.demo_note = QLabel(
            "Danh mục có dữ liệu minh họa: thời hạn, lệ phí và thành phần hồ sơ cần đối chiếu với quyết định "
            "công bố thủ tục hành chính của địa phương."
        )
        self.demo_note.setObjectName("hint")
        self.demo_note.setWordWrap(True)
        self.demo_note.hide()
        self.papers_title = QLabel("Thành phần hồ sơ")
        self.papers_title.setObjectName("sectionTitle")
        self.papers = QTableWidget(0, 3)
        self.papers.setHorizontalHeaderLabels(["Giấy tờ", "Bản chính", "Bản sao"])
        self.papers.verticalHeader().setVisible(False)
        self.papers.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.papers.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.papers.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.papers.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.papers_title)
        lower_layout.addWidget(self.papers)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.demo_note)
        layout.addWidget(splitter)
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(self._debounce.start)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)

    def set_services(self, services: Any) -> None:
        self._services = services
        self.reload()

    def reload(self) -> None:
        if self._services is None:
            return
        self._generation += 1
        self._runner.run_pooled(
            _list_procedures, self._services, self.search.text(), self._generation, on_done=self._on_loaded
        )

    def _on_loaded(self, result: tuple[int, list[ProcedureView]]) -> None:
        generation, procedures = result
        if generation != self._generation:
            return
        self.model.set_procedures(procedures)
        self.demo_note.setVisible(any(p.demo for p in procedures))
        if procedures:
            self.table.selectRow(0)
        else:
            self._show_papers(None)
        emit(self.sig_loaded, len(procedures))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_papers(self.model.procedure_at(current.row()) if current.isValid() else None)

    def _show_papers(self, proc: ProcedureView | None) -> None:
        self.papers.setRowCount(0)
        if proc is None:
            self.papers_title.setText("Thành phần hồ sơ")
            return
        self.papers_title.setText(f"Thành phần hồ sơ: {proc.name} — {proc.deciding_agency}")
        for paper in proc.papers:
            row = self.papers.rowCount()
            self.papers.insertRow(row)
            self.papers.setItem(row, 0, QTableWidgetItem(paper.name))
            for column, count in ((1, paper.originals), (2, paper.copies)):
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.papers.setItem(row, column, item)


def _list_procedures(services: Any, search: str, generation: int) -> tuple[int, list[ProcedureView]]:
    return generation, services.catalogue.list_procedures(search)
