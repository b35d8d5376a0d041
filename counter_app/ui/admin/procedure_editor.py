"""ProcedureEditor: add or change a procedure of the catalogue, with its ordered papers; errors next to each field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.procedure import MAX_COUNT, MAX_DAYS, SUPPLEMENT_LABELS, SUPPLEMENT_RULES, ProcedureSpec
from counter_app.errors import FormInvalid
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import show_error
from counter_app.ui.widgets.field_errors import FieldErrors, add_field

if TYPE_CHECKING:
    from counter_app.services.registry import Services

PAPER_NAME, PAPER_ORIGINALS, PAPER_COPIES = range(3)


class PaperListEditor(QWidget):
    """The ordered list of papers: name, originals, copies; add, remove, move up and down."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Giấy tờ", "Bản chính", "Bản sao"])
        self.table.verticalHeader().setVisible(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(PAPER_NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(PAPER_ORIGINALS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PAPER_COPIES, QHeaderView.ResizeMode.ResizeToContents)
        self.add_button = QPushButton("Thêm giấy tờ")
        self.remove_button = QPushButton("Xóa")
        self.up_button = QPushButton("Lên")
        self.down_button = QPushButton("Xuống")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(lambda: self.add_paper("", 1, 0, edit=True))
        self.remove_button.clicked.connect(self.remove_current)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def set_papers(self, papers: list[tuple[str, int, int]]) -> None:
        self.table.setRowCount(0)
        for name, originals, copies in papers:
            self.add_paper(name, originals, copies)
        self._update_buttons()

    def add_paper(self, name: str, originals: int, copies: int, *, edit: bool = False) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, PAPER_NAME, QTableWidgetItem(name))
        for column, count in ((PAPER_ORIGINALS, originals), (PAPER_COPIES, copies)):
            spin = QSpinBox(minimum=0, maximum=MAX_COUNT)
            spin.setValue(count)
            spin.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setCellWidget(row, column, spin)
        self.table.selectRow(row)
        if edit:
            self.table.setCurrentCell(row, PAPER_NAME)
            item = self.table.item(row, PAPER_NAME)
            if item is not None:
                self.table.editItem(item)
        self._update_buttons()
        return row

    def papers(self) -> list[tuple[str, int, int]]:
        return [self._row(row) for row in range(self.table.rowCount())]

    def _row(self, row: int) -> tuple[str, int, int]:
        item = self.table.item(row, PAPER_NAME)
        counts = []
        for column in (PAPER_ORIGINALS, PAPER_COPIES):
            spin = self.table.cellWidget(row, column)
            counts.append(spin.value() if isinstance(spin, QSpinBox) else 0)
        return (item.text() if item is not None else "", counts[0], counts[1])

    def current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def remove_current(self) -> None:
        row = self.current_row()
        if row >= 0:
            self.table.removeRow(row)
            if self.table.rowCount():
                self.table.selectRow(min(row, self.table.rowCount() - 1))
        self._update_buttons()

    def move_current(self, step: int) -> None:
        row = self.current_row()
        target = row + step
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        papers = self.papers()
        papers[row], papers[target] = papers[target], papers[row]
        self.set_papers(papers)
        self.table.selectRow(target)

    def _update_buttons(self) -> None:
        row = self.current_row()
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.table.rowCount() - 1)


class ProcedureEditor(QDialog):
    """A new procedure (`spec` None) or an existing one (its code cannot change). Saving runs off the UI thread;
    a refusal shows each message under its field."""

    sig_saved = Signal(object)
    """The procedure was saved: the ProcedureSpec as stored."""

    def __init__(
        self, services: Services, runner: TaskRunner, spec: ProcedureSpec | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._new = spec is None
        self._demo = spec.demo if spec is not None else False
        self.setWindowTitle("Thêm thủ tục hành chính" if self._new else f"Sửa thủ tục {spec.code if spec else ''}")
        self.setMinimumWidth(640)
        self.errors = FieldErrors()
        self.code = QLineEdit(placeholderText="Mã TTHC, ví dụ 1.001193")
        self.name = QLineEdit()
        self.field = QLineEdit(placeholderText="Ví dụ: Hộ tịch, Chứng thực")
        self.deciding_agency = QLineEdit(placeholderText="Ví dụ: Ủy ban nhân dân phường")
        self.days = QSpinBox(minimum=0, maximum=MAX_DAYS)
        self.days.setSuffix(" ngày làm việc")
        self.cutoff = QLineEdit(placeholderText="GG:PP, ví dụ 15:00 (chỉ cho thủ tục trả trong ngày)")
        self.fee = QLineEdit(placeholderText="Số tiền (đồng), ví dụ 8000")
        self.supplement_rule = QComboBox()
        for rule in SUPPLEMENT_RULES:
            self.supplement_rule.addItem(SUPPLEMENT_LABELS[rule], rule)
        self.active = QCheckBox("Đang áp dụng (hiện khi tiếp nhận hồ sơ)")
        self.active.setChecked(True)
        self.papers = PaperListEditor()
        form = QFormLayout()
        add_field(form, "Mã thủ tục", self.code, self.errors, "code")
        add_field(form, "Tên thủ tục", self.name, self.errors, "name")
        add_field(form, "Lĩnh vực", self.field, self.errors, "field")
        add_field(form, "Cơ quan giải quyết", self.deciding_agency, self.errors, "deciding_agency")
        add_field(form, "Thời hạn giải quyết", self.days, self.errors, "days")
        add_field(form, "Giờ nhận tối đa (trả trong ngày)", self.cutoff, self.errors, "same_day_cutoff")
        add_field(form, "Lệ phí (đồng)", self.fee, self.errors, "fee")
        add_field(form, "Khi yêu cầu bổ sung", self.supplement_rule, self.errors, "supplement_rule")
        form.addRow("", self.active)
        papers_title = QLabel("Thành phần hồ sơ (theo thứ tự)")
        papers_title.setObjectName("sectionTitle")
        self.papers_error = self.errors.label_for("papers", self.papers.table)
        self.general_error = self.errors.label_for("file")
        note = QLabel(
            "Thay đổi chỉ áp dụng cho hồ sơ tiếp nhận sau khi lưu; hồ sơ đã tiếp nhận giữ nguyên ngày hẹn trả. "
            "Phiên bản do máy chủ trung tâm công bố sẽ thay thế thay đổi này ở lần đồng bộ tới."
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Lưu")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(papers_title)
        layout.addWidget(self.papers)
        layout.addWidget(self.papers_error)
        layout.addWidget(self.general_error)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        for key, edit in (
            ("code", self.code),
            ("name", self.name),
            ("field", self.field),
            ("deciding_agency", self.deciding_agency),
            ("same_day_cutoff", self.cutoff),
            ("fee", self.fee),
        ):
            edit.textEdited.connect(lambda _text, key=key: self.errors.clear(key))
        if spec is not None:
            self._fill(spec)
        else:
            self.papers.set_papers([])

    def _fill(self, spec: ProcedureSpec) -> None:
        self.code.setText(spec.code)
        self.code.setReadOnly(True)  # the code identifies the procedure in dossiers and on the central
        self.name.setText(spec.name)
        self.field.setText(spec.field)
        self.deciding_agency.setText(spec.deciding_agency)
        self.days.setValue(spec.days)
        self.cutoff.setText(spec.same_day_cutoff or "")
        self.fee.setText(str(spec.fee))
        self.supplement_rule.setCurrentIndex(max(0, self.supplement_rule.findData(spec.supplement_rule)))
        self.active.setChecked(spec.active)
        self.papers.set_papers([(p.name, p.originals, p.copies) for p in spec.papers])

    def form_data(self) -> dict[str, Any]:
        """What the service validates: the fields as typed (the service says what is wrong)."""
        return {
            "code": self.code.text(),
            "name": self.name.text(),
            "field": self.field.text(),
            "deciding_agency": self.deciding_agency.text(),
            "days": self.days.value(),
            "same_day_cutoff": self.cutoff.text().strip() or None,
            "fee": self.fee.text().strip() or "0",
            "supplement_rule": self.supplement_rule.currentData(),
            "papers": [{"name": n, "originals": o, "copies": c} for n, o, c in self.papers.papers()],
            "active": self.active.isChecked(),
            "demo": self._demo,
        }

    def save(self) -> None:
        self.errors.clear()
        self.save_button.setEnabled(False)
        self._runner.run_serial(
            self._services.catalogue.save_procedure,
            self.form_data(),
            new=self._new,
            on_done=self._on_saved,
            on_error=self._on_failed,
        )

    def _on_saved(self, spec: ProcedureSpec) -> None:
        self.save_button.setEnabled(True)
        emit(self.sig_saved, spec)
        self.accept()

    def _on_failed(self, exc: object) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, FormInvalid):
            unplaced = self.errors.show(exc.errors)
            widget = self.errors.first_widget(exc.errors)
            if widget is not None:
                widget.setFocus()
            if unplaced:
                self.errors.show({**exc.errors, "file": " ".join(unplaced.values())})
            return
        show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))
