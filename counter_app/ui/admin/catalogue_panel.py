"""The "Danh mục thủ tục" tab: procedures with their processing time, fee and papers, searchable without marks.

An administrator also sees the editing actions (add, edit, deactivate, show deactivated procedures); for any
other role they are hidden, and the services refuse them anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.common.views import ProcedureView
from counter_app.ui.admin.procedure_editor import ProcedureEditor
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.formatting import money, processing_text

if TYPE_CHECKING:
    from counter_app.domain.procedure import ProcedureSpec
    from counter_app.services.registry import Services

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
        inactive = not getattr(proc, "active", True)
        if role == Qt.ItemDataRole.ForegroundRole and inactive:
            return QBrush(QColor("#888888"))
        if role == Qt.ItemDataRole.DisplayRole:
            if inactive and index.column() == 1:
                return f"{proc.name} (ngừng áp dụng)"
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
    sig_editor_opened = Signal(object)
    """The procedure editor was opened: the dialog (for the tests and the screen tour)."""
    sig_changed = Signal(str)
    """A procedure was saved or deactivated: its code."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Services | None = None
        self._generation = 0
        self._may_administer = False
        self.editor: ProcedureEditor | None = None
        self.add_button = QPushButton("Thêm thủ tục")
        self.edit_button = QPushButton("Sửa thủ tục")
        self.deactivate_button = QPushButton("Ngừng áp dụng")
        self.show_inactive = QCheckBox("Hiện thủ tục ngừng áp dụng")
        self.admin_bar = QWidget()
        admin_layout = QHBoxLayout(self.admin_bar)
        admin_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.add_button, self.edit_button, self.deactivate_button):
            admin_layout.addWidget(widget)
        admin_layout.addStretch(1)
        admin_layout.addWidget(self.show_inactive)
        self.admin_bar.hide()  # shown once the services say the signed-in role may administer the catalogue
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
        layout.addWidget(self.admin_bar)
        layout.addWidget(self.demo_note)
        layout.addWidget(splitter)
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(self._debounce.start)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.add_button.clicked.connect(self.open_new_procedure)
        self.edit_button.clicked.connect(self.open_current_procedure)
        self.deactivate_button.clicked.connect(self.deactivate_current)
        self.show_inactive.toggled.connect(self.reload)
        self.table.doubleClicked.connect(self._on_double_clicked)

    def set_services(self, services: Services) -> None:
        self._services = services
        self.reload()

    def reload(self) -> None:
        if self._services is None:
            return
        self._generation += 1
        self._runner.run_pooled(
            _list_procedures,
            self._services,
            self.search.text(),
            self._generation,
            self.show_inactive.isChecked(),
            on_done=self._on_loaded,
        )

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        # another account may have signed in since the list was loaded: the actions follow its role
        super().showEvent(event)
        self.reload()

    def _on_loaded(self, result: tuple[int, list[ProcedureView], bool]) -> None:
        generation, procedures, may_administer = result
        if generation != self._generation:
            return
        self._set_may_administer(may_administer)
        current = self.current_procedure()
        self.model.set_procedures(procedures)
        self.demo_note.setVisible(any(p.demo for p in procedures))
        codes = [p.code for p in procedures]
        if procedures:
            self.table.selectRow(codes.index(current.code) if current is not None and current.code in codes else 0)
        else:
            self._show_papers(None)
        self._update_actions()
        emit(self.sig_loaded, len(procedures))

    def _set_may_administer(self, may: bool) -> None:
        self._may_administer = may
        self.admin_bar.setVisible(may)
        if not may and self.show_inactive.isChecked():
            self.show_inactive.setChecked(False)

    def current_procedure(self) -> ProcedureView | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.procedure_at(index.row())

    def _update_actions(self) -> None:
        proc = self.current_procedure()
        self.edit_button.setEnabled(proc is not None)
        self.deactivate_button.setEnabled(proc is not None and getattr(proc, "active", True))

    # administration
    def open_new_procedure(self) -> None:
        self._open_editor(None)

    def _on_double_clicked(self, _index: QModelIndex) -> None:
        if self._may_administer:
            self.open_current_procedure()

    def open_current_procedure(self) -> None:
        proc = self.current_procedure()
        if proc is None or self._services is None:
            return
        self._runner.run_pooled(self._services.catalogue.get_procedure_spec, proc.code, on_done=self._open_editor)

    def _open_editor(self, spec: ProcedureSpec | None) -> None:
        if self._services is None:
            return
        editor = ProcedureEditor(self._services, self._runner, spec, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.sig_saved.connect(self._on_saved)
        editor.destroyed.connect(self._forget_editor)
        self.editor = editor
        editor.open()
        emit(self.sig_editor_opened, editor)

    def _forget_editor(self) -> None:
        self.editor = None

    def _on_saved(self, spec: ProcedureSpec) -> None:
        self.reload()
        emit(self.sig_changed, spec.code)

    def deactivate_current(self, *, confirm: bool = True) -> None:
        proc = self.current_procedure()
        if proc is None or self._services is None:
            return
        if confirm:
            answer = QMessageBox.question(
                self,
                "Ngừng áp dụng thủ tục",
                f"Ngừng áp dụng thủ tục “{proc.name}”? Thủ tục sẽ không còn hiện khi tiếp nhận hồ sơ mới; "
                "hồ sơ đã tiếp nhận không thay đổi.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._runner.run_serial(self._services.catalogue.deactivate_procedure, proc.code, on_done=self._on_saved)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_papers(self.model.procedure_at(current.row()) if current.isValid() else None)
        self._update_actions()

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


def _list_procedures(
    services: Services, search: str, generation: int, include_inactive: bool
) -> tuple[int, list[ProcedureView], bool]:
    """Runs in a worker: the procedures, and whether the signed-in role may administer them."""
    may = bool(services.catalogue.may_administer())
    return generation, services.catalogue.list_procedures(search, include_inactive=include_inactive and may), may
