"""PasswordDialog: the signed-in person sets a new password — by choice, or at the first sign-in after a reset."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.widgets.field_errors import ERROR_STYLE


class PasswordDialog(QDialog):
    """Window-modal. `forced`: after a reset the current (temporary) password is already known, only the new one
    is asked, and the dialog cannot be dismissed (the other way out is quitting the application)."""

    sig_submitted = Signal(str, str)
    """The current password ("" when forced: the session knows it) and the new one, to the services."""
    sig_quit = Signal()
    """Forced: the person chose to close the application instead."""

    def __init__(self, name: str, *, forced: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.forced = forced
        self.setWindowTitle("Đặt mật khẩu mới" if forced else "Đổi mật khẩu")
        self.setModal(True)
        self.setMinimumWidth(440)
        if forced:
            self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        intro = QLabel(
            f"Quản trị viên đã đặt lại mật khẩu của tài khoản “{name}”. Hãy đặt mật khẩu mới của riêng mình "
            "(ít nhất 8 ký tự) trước khi làm việc."
            if forced
            else f"Đổi mật khẩu của tài khoản “{name}” (ít nhất 8 ký tự)."
        )
        intro.setWordWrap(True)
        self.current_edit, self.new_edit, self.confirm_edit = QLineEdit(), QLineEdit(), QLineEdit()
        form = QFormLayout()
        if not forced:
            form.addRow("Mật khẩu hiện tại:", self.current_edit)
        form.addRow("Mật khẩu mới:", self.new_edit)
        form.addRow("Nhập lại mật khẩu mới:", self.confirm_edit)
        for edit, key in ((self.current_edit, "current"), (self.new_edit, "new"), (self.confirm_edit, "confirm")):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setObjectName(f"password_{key}")
        self.message = QLabel()
        self.message.setObjectName("password_message")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("Đổi mật khẩu", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(
            "Thoát ứng dụng" if forced else "Hủy", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self._cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        (self.new_edit if forced else self.current_edit).setFocus()

    def submit(self) -> None:
        if not self.forced and not self.current_edit.text():
            self.show_message("Cần nhập mật khẩu hiện tại.")
            return
        if self.new_edit.text() != self.confirm_edit.text():
            self.show_message("Hai lần nhập mật khẩu mới không giống nhau.")
            return
        self.ok_button.setEnabled(False)
        self.message.hide()
        emit(self.sig_submitted, self.current_edit.text(), self.new_edit.text())

    def show_message(self, text: str) -> None:
        self.ok_button.setEnabled(True)
        self.message.setText(text)
        self.message.show()
        for edit in (self.current_edit, self.new_edit, self.confirm_edit):
            edit.clear()
        (self.new_edit if self.forced else self.current_edit).setFocus()

    def reject(self) -> None:  # Escape: only when the change is by choice
        if not self.forced:
            super().reject()

    def _cancel(self) -> None:
        if self.forced:
            emit(self.sig_quit)
        self.done(QDialog.DialogCode.Rejected)
