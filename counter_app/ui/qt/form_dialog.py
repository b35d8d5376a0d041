"""FormDialog: a window-modal form whose values go to a service, with its messages inline until it succeeds."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget

from counter_app.errors import ValidationError
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.widgets.field_errors import FieldErrors


class FormDialog(QDialog):
    """A window-modal form whose values go to a service; it stays open, with messages inline, until it succeeds."""

    sig_submitted = Signal(dict)
    """The clerk confirmed: the form's values, checked as far as the form can."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.errors = FieldErrors()
        self.form = QFormLayout()
        self.general_error = self.errors.label_for("_general")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Xác nhận")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy bỏ")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def _submit(self) -> None:
        try:
            values = self.values()
        except ValidationError as exc:
            self.show_errors({exc.field: exc.message})
            return
        self.errors.clear()
        self.set_busy(True)
        emit(self.sig_submitted, values)

    def set_busy(self, busy: bool) -> None:
        self.ok_button.setEnabled(not busy)

    def show_errors(self, errors: dict[str, str]) -> None:
        unplaced = self.errors.show(errors)
        if unplaced:
            self.general_error.setText("\n".join(unplaced.values()))
            self.general_error.show()
        widget = self.errors.first_widget(errors)
        if widget is not None:
            widget.setFocus()
