"""AccountsPanel: the administrator's accounts place — add, disable and re-enable, name, title and role, reset a
password (the person sets a new one at the next sign-in). Other roles see the place hidden; the services refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
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

from counter_app.domain.roles import Permission, Role
from counter_app.errors import PermissionDenied
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import user_message
from counter_app.ui.widgets.field_errors import ERROR_STYLE
from counter_app.ui.widgets.formatting import vn_date

if TYPE_CHECKING:
    from counter_app.services.accounts.clerk_accounts import UserView
    from counter_app.services.registry import Services

COLUMNS = ("Tên đăng nhập", "Họ và tên", "Chức vụ", "Vai trò", "Trạng thái", "Ngày tạo")
ROLE_CHOICES = (Role.CLERK, Role.SUPERVISOR, Role.ADMIN)
NOT_ADMIN = "Chỉ quản trị viên được xem và quản lý tài khoản; hãy đăng nhập bằng tài khoản quản trị viên."


def _state(user: UserView) -> str:
    if user.disabled:
        return "Đã vô hiệu hóa"
    return "Chờ đổi mật khẩu" if user.must_change_password else "Hoạt động"


class AccountsPanel(QWidget):
    """The accounts in a table; the chosen one fills the form below, whose buttons act on it through the services."""

    sig_loaded = Signal()
    """The list of accounts was read and shown."""
    sig_done = Signal(str)
    """An action succeeded: what the message line says."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Services | None = None
        self.users: list[UserView] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("accounts_table")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._on_selected)
        self.name_edit = QLineEdit(placeholderText="ví dụ: lan.nguyen")
        self.full_name_edit = QLineEdit()
        self.title_edit = QLineEdit(placeholderText="ví dụ: Công chức Tư pháp - Hộ tịch")
        self.role_combo = QComboBox()
        for role in ROLE_CHOICES:
            self.role_combo.addItem(role.label[:1].upper() + role.label[1:], role.value)
        self.password_edit = QLineEdit(placeholderText="ít nhất 8 ký tự; người dùng đổi khi đăng nhập")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("Tên đăng nhập:", self.name_edit)
        form.addRow("Họ và tên:", self.full_name_edit)
        form.addRow("Chức vụ:", self.title_edit)
        form.addRow("Vai trò:", self.role_combo)
        form.addRow("Mật khẩu (tạm thời):", self.password_edit)
        self.add_button = QPushButton("Thêm tài khoản")
        self.save_button = QPushButton("Lưu họ tên, chức vụ, vai trò")
        self.disable_button = QPushButton("Vô hiệu hóa")
        self.enable_button = QPushButton("Mở lại")
        self.reset_button = QPushButton("Đặt lại mật khẩu")
        self.add_button.clicked.connect(self.add_account)
        self.save_button.clicked.connect(self.save_details)
        self.disable_button.clicked.connect(self.disable_account)
        self.enable_button.clicked.connect(self.enable_account)
        self.reset_button.clicked.connect(self.reset_password)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.save_button, self.disable_button, self.enable_button, self.reset_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.message = QLabel()
        self.message.setObjectName("accounts_message")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Tài khoản của những người làm việc tại quầy. Chỉ quản trị viên quản lý tài khoản."))
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self._on_selected()

    def set_services(self, services: Services) -> None:
        """The services, kept; the accounts are read when the place is shown (refresh)."""
        self._services = services

    def refresh(self) -> None:
        if self._services is None:
            return
        may = self._services.accounts.allows(Permission.USERS)
        for button in (self.add_button, self.save_button, self.disable_button, self.enable_button, self.reset_button):
            button.setEnabled(may)
        if not may:  # the place is hidden from the other roles; reached anyway, it shows nobody
            self._refused(PermissionDenied(NOT_ADMIN))
            self._show([])
            return
        self._runner.run_pooled(self._services.accounts.list_users, on_done=self._show, on_error=self._refused)

    def selected(self) -> UserView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows and rows[0].row() < len(self.users) else None

    def select(self, name: str) -> None:
        for index, user in enumerate(self.users):
            if user.name == name:
                self.table.selectRow(index)

    # actions
    def add_account(self) -> None:
        if self._services is not None:
            call = self._services.accounts.add_user
            self._act(
                f"Đã thêm tài khoản “{self.name_edit.text().strip().lower()}”.",
                call,
                self.name_edit.text(),
                self._role(),
                self.password_edit.text(),
                **self._details(),
            )

    def save_details(self) -> None:
        user = self.selected()
        if self._services is not None and user is not None:
            self._act(
                f"Đã lưu thông tin tài khoản “{user.name}”.",
                self._services.accounts.update_user,
                user.name,
                role=self._role(),
                **self._details(),
            )

    def disable_account(self) -> None:
        user = self.selected()
        if self._services is not None and user is not None:
            self._act(f"Đã vô hiệu hóa tài khoản “{user.name}”.", self._services.accounts.disable_user, user.name)

    def enable_account(self) -> None:
        user = self.selected()
        if self._services is not None and user is not None:
            self._act(f"Đã mở lại tài khoản “{user.name}”.", self._services.accounts.enable_user, user.name)

    def reset_password(self) -> None:
        user = self.selected()
        if self._services is not None and user is not None:
            self._act(
                f"Đã đặt lại mật khẩu của “{user.name}”; người dùng sẽ đặt mật khẩu mới khi đăng nhập.",
                self._services.accounts.reset_password,
                user.name,
                self.password_edit.text(),
            )

    # internals
    def _details(self) -> dict[str, str]:
        return {"full_name": self.full_name_edit.text(), "title": self.title_edit.text()}

    def _role(self) -> str:
        return str(self.role_combo.currentData())

    def _act(self, done_text: str, fn: Callable[..., object], *args: object, **kwargs: object) -> None:
        """Run one account command on the write worker; its refusal (role, rule, field) is shown as it is."""
        self.message.setStyleSheet("")
        self.message.setText("Đang thực hiện…")
        self._runner.run_serial(
            fn, *args, on_done=lambda _result: self._succeeded(done_text), on_error=self._refused, **kwargs
        )

    def _succeeded(self, text: str) -> None:
        self.password_edit.clear()
        self.message.setStyleSheet("")
        self.message.setText(text)
        emit(self.sig_done, text)
        self.refresh()

    def _refused(self, exc: object) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(user_message(exc) if isinstance(exc, BaseException) else str(exc))

    def _show(self, users: list[UserView]) -> None:
        chosen = self.selected()
        self.users = list(users)
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            cells = (user.name, user.full_name, user.title, user.role_label, _state(user), vn_date(user.created_at))
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        if chosen is not None:
            self.select(chosen.name)
        self._on_selected()  # the same row chosen again: its buttons follow its new state
        emit(self.sig_loaded)

    def _on_selected(self) -> None:
        user = self.selected()
        chosen = user is not None
        for button in (self.save_button, self.disable_button, self.enable_button, self.reset_button):
            button.setVisible(chosen)
        if user is None:
            return
        self.disable_button.setVisible(not user.disabled)
        self.enable_button.setVisible(user.disabled)
        self.name_edit.setText(user.name)
        self.full_name_edit.setText(user.full_name)
        self.title_edit.setText(user.title)
        self.role_combo.setCurrentIndex(max(0, self.role_combo.findData(user.role.value)))
