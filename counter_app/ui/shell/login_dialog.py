"""LoginDialog: the account name and password, at start and to unlock a session locked after inactivity."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.widgets.field_errors import ERROR_STYLE


class LoginDialog(QDialog):
    """Modal; it stays open with the service's message (wrong password, wait N seconds) until a login succeeds."""

    sig_submitted = Signal(str, str)
    """The person asked to sign in: account name and password (checked by the services, off the UI thread)."""
    sig_quit = Signal()
    """The person chose to close the application instead."""

    def __init__(self, *, locked_name: str = "", lock_minutes: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        locked = bool(locked_name)
        self.setWindowTitle("Mở khóa phiên làm việc" if locked else "Đăng nhập")
        self.setModal(True)
        self.setMinimumWidth(420)
        # Escape or the title bar's close must not dismiss it: only a login (or quitting) ends it
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        intro = QLabel(
            f"Phiên làm việc đã tự khóa sau {lock_minutes} phút không thao tác. Nhập mật khẩu để tiếp tục, "
            "hoặc đăng nhập bằng tài khoản khác."
            if locked
            else "Bộ phận Một cửa — đăng nhập bằng tài khoản được quản trị viên cấp."
        )
        intro.setWordWrap(True)
        self.name_edit = QLineEdit(locked_name)
        self.name_edit.setObjectName("login_name")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("login_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("Tên đăng nhập:", self.name_edit)
        form.addRow("Mật khẩu:", self.password_edit)
        self.message = QLabel()
        self.message.setObjectName("login_message")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("Đăng nhập", QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = self.buttons.addButton("Thoát ứng dụng", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        self.quit_button.clicked.connect(self._quit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        (self.password_edit if locked else self.name_edit).setFocus()

    def submit(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.show_message("Cần nhập tên đăng nhập.")
            self.name_edit.setFocus()
            return
        if not self.password_edit.text():
            self.show_message("Cần nhập mật khẩu.")
            self.password_edit.setFocus()
            return
        self.set_busy(True)
        emit(self.sig_submitted, name, self.password_edit.text())

    def set_busy(self, busy: bool) -> None:
        self.ok_button.setEnabled(not busy)
        if busy:
            self.message.hide()

    def show_message(self, text: str) -> None:
        self.set_busy(False)
        self.message.setText(text)
        self.message.show()
        self.password_edit.clear()
        self.password_edit.setFocus()

    def reject(self) -> None:  # Escape: ignored (see __init__)
        pass

    def _quit(self) -> None:
        emit(self.sig_quit)
        self.done(QDialog.DialogCode.Rejected)
