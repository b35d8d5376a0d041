"""ReprintDialog: the reason a document is printed again (domain.md §10), asked before every reprint."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from counter_app.domain.reprint import REPRINT_NOTE_MAX, ReprintReason
from counter_app.errors import ValidationError
from counter_app.ui.qt.form_dialog import FormDialog
from counter_app.ui.widgets.field_errors import add_field


class ReprintDialog(FormDialog):
    """In lại: one of the four reasons (domain.md §10); "khác" with a few words."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(f"In lại {title}", parent)
        self.reason = QComboBox()
        self.reason.addItem("— chọn lý do —", None)
        for reason in ReprintReason:
            self.reason.addItem(reason.label.capitalize(), reason.value)  # Qt keeps a str, not the enum
        self.note = QLineEdit()
        self.note.setMaxLength(REPRINT_NOTE_MAX)
        self.note.setPlaceholderText("Ghi rõ lý do khác")
        self.form.addRow(QLabel("Bản in lại được ghi “BẢN IN LẠI lần …” và lưu lý do vào quá trình giải quyết."))
        add_field(self.form, "Lý do in lại", self.reason, self.errors, "reason")
        add_field(self.form, "Lý do khác", self.note, self.errors, "reason_note")
        self.reason.currentIndexChanged.connect(self._sync)
        self._sync()

    def choose(self, reason: ReprintReason) -> None:
        self.reason.setCurrentIndex(self.reason.findData(reason.value))

    def _sync(self) -> None:
        self.note.setEnabled(self.reason.currentData() == ReprintReason.OTHER.value)

    def values(self) -> dict[str, Any]:
        value = self.reason.currentData()
        if not value:
            raise ValidationError("reason", "Cần chọn lý do in lại.")
        reason = ReprintReason(value)
        note = " ".join(self.note.text().split()) if reason is ReprintReason.OTHER else ""
        if reason is ReprintReason.OTHER and not note:
            raise ValidationError("reason_note", "Lý do “khác” cần ghi rõ vài chữ.")
        return {"reason": reason, "reason_note": note}
