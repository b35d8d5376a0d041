"""The first-run wizard's pages that ask for people and secrets: the first administrator, the backup passphrase."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget, QWizardPage

from counter_app.errors import ValidationError
from counter_app.services.accounts.clerk_accounts import MIN_PASSWORD, clean_name
from counter_app.services.maintenance.backup_keys import MIN_PASSPHRASE
from counter_app.ui.widgets.field_errors import FieldErrors, add_field


class FieldPage(QWizardPage):
    """A page whose fields show their own error under them; `check` raises ValidationError to keep the page."""

    def __init__(self, title: str, subtitle: str = "") -> None:
        super().__init__()
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self.errors = FieldErrors()
        self.form = QFormLayout(self)

    def field_row(self, title: str, widget: QWidget, key: str) -> None:
        add_field(self.form, title, widget, self.errors, key)

    def check(self) -> None:
        """Raise ValidationError when a field is wrong."""

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        self.errors.clear()
        try:
            self.check()
        except ValidationError as exc:
            unplaced = self.errors.show({exc.field: exc.message})
            if unplaced:
                self.errors.show({self.errors.keys()[0]: exc.message})
            widget = self.errors.first_widget({exc.field: exc.message})
            if widget is not None:
                widget.setFocus()
            return False
        return True


@dataclass(frozen=True)
class AdminAnswers:
    """The first administrator's account and the backup passphrase (repr hides both)."""

    name: str
    full_name: str
    title: str
    password: str = field(repr=False)
    passphrase: str = field(repr=False)


def _secret() -> QLineEdit:
    return QLineEdit(echoMode=QLineEdit.EchoMode.Password)


class AdminPage(FieldPage):
    def __init__(self) -> None:
        super().__init__(
            "Tài khoản quản trị",
            "Người quản trị quầy: đăng nhập bằng tài khoản này; họ tên được in là người tiếp nhận trên giấy tờ.",
        )
        self.name_edit = QLineEdit(placeholderText="Ví dụ: lan.nguyen")
        self.full_name_edit = QLineEdit(placeholderText="Ví dụ: Nguyễn Thị Lan")
        self.title_edit = QLineEdit(placeholderText="Ví dụ: Công chức Văn phòng - Thống kê")
        self.password_edit, self.again_edit = _secret(), _secret()
        self.field_row("Tên đăng nhập", self.name_edit, "admin_name")
        self.field_row("Họ và tên", self.full_name_edit, "admin_full_name")
        self.field_row("Chức vụ", self.title_edit, "admin_title")
        self.field_row("Mật khẩu", self.password_edit, "admin_password")
        self.field_row("Nhập lại mật khẩu", self.again_edit, "admin_again")

    def check(self) -> None:
        try:
            name = clean_name(self.name_edit.text())
        except ValidationError as exc:
            raise ValidationError("admin_name", exc.message) from None
        if not self.full_name_edit.text().strip():
            raise ValidationError("admin_full_name", "Cần nhập họ và tên của quản trị viên.")
        password = self.password_edit.text()
        if len(password) < MIN_PASSWORD:
            raise ValidationError("admin_password", f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
        if password.strip().lower() == name:
            raise ValidationError("admin_password", "Mật khẩu không được trùng với tên đăng nhập.")
        if self.again_edit.text() != password:
            raise ValidationError("admin_again", "Hai lần nhập mật khẩu không khớp.")


class BackupPassphrasePage(FieldPage):
    def __init__(self) -> None:
        super().__init__(
            "Mật khẩu sao lưu",
            "Bản sao lưu được mã hóa; khi máy hỏng, chỉ mật khẩu này khôi phục được dữ liệu trên máy khác.",
        )
        self.passphrase_edit, self.again_edit = _secret(), _secret()
        self.field_row("Mật khẩu sao lưu", self.passphrase_edit, "passphrase")
        self.field_row("Nhập lại", self.again_edit, "passphrase_again")
        hint = QLabel("Ghi mật khẩu ra giấy, cất nơi an toàn, tách khỏi máy tính: không ai khôi phục được nếu quên.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.form.addRow(hint)

    def check(self) -> None:
        passphrase = self.passphrase_edit.text()
        if len(passphrase) < MIN_PASSPHRASE:
            raise ValidationError("passphrase", f"Mật khẩu sao lưu cần ít nhất {MIN_PASSPHRASE} ký tự.")
        if self.again_edit.text() != passphrase:
            raise ValidationError("passphrase_again", "Hai lần nhập mật khẩu sao lưu không khớp.")
