"""SettingsDialog: the installation's settings edited after the first run; the agency and its code widths stay fixed."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from counter_app.errors import CounterError, ValidationError
from counter_app.services.installation.setup import central_role
from counter_app.ui.admin.first_run_wizard import PRINTER_KEYS, printer_combo
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import show_error
from counter_app.ui.widgets.field_errors import FieldErrors, add_field

if TYPE_CHECKING:
    from counter_app.services.installation.counter_profile import SettingsSnapshot
    from counter_app.services.registry import Services

log = logging.getLogger(__name__)

TEXT_KEYS = (
    ("clerk_name", "Cán bộ tiếp nhận (khi không dùng tài khoản)"),
    ("place", "Địa danh"),
    ("office_hours", "Giờ làm việc"),
    ("head_name", "Thủ trưởng cơ quan (Mẫu 04)"),
    ("head_title", "Chức vụ của thủ trưởng"),
    ("central_url", "Địa chỉ máy chủ trung tâm"),
    ("scanner_device", "Máy quét giấy tờ của quầy"),
)
PLACEHOLDERS = {"scanner_device": "Để trống: hỏi ở lần quét đầu tiên"}


def readable(message: str) -> str:
    """A service's message with each setting's key replaced by the name the clerk sees on this screen."""
    for key, title in (*TEXT_KEYS, *PRINTER_KEYS, ("central_password", "Mật khẩu của quầy trên máy chủ")):
        message = message.replace(f"“{key}”", f"“{title}”").replace(key, f"“{title}”")
    return message


class SettingsDialog(QDialog):
    sig_saved = Signal(object)
    """The settings were saved: the new Settings."""

    def __init__(self, services: Services, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Thiết lập")
        self.setMinimumWidth(560)
        self._services = services
        self._runner = runner
        self._snapshot: SettingsSnapshot | None = None
        self.errors = FieldErrors()
        form = QFormLayout()
        self.fixed_labels: dict[str, QLabel] = {}
        for key, title in (
            ("agency", "Cơ quan"),
            ("counter", "Số quầy"),
            ("widths", "Độ dài mã hồ sơ"),
        ):
            self.fixed_labels[key] = QLabel("…")
            form.addRow(title, self.fixed_labels[key])
        self.edits: dict[str, QLineEdit] = {}
        for key, title in TEXT_KEYS:
            self.edits[key] = QLineEdit(placeholderText=PLACEHOLDERS.get(key, ""))
            add_field(form, title, self.edits[key], self.errors, key)
        self.password_edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("Để trống nếu không đổi")
        add_field(form, "Mật khẩu của quầy trên máy chủ", self.password_edit, self.errors, "central_password")
        self.printers: dict[str, QComboBox] = {}
        self._form = form
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Lưu")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Đóng")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        runner.run_pooled(services.settings.get_snapshot, on_done=self._show, on_error=self._on_failed)

    def _show(self, snapshot: SettingsSnapshot) -> None:
        self._snapshot = snapshot
        settings = snapshot.settings
        self.fixed_labels["agency"].setText(f"{snapshot.agency_name} ({settings.agency_code})")
        self.fixed_labels["counter"].setText(str(settings.counter))
        self.fixed_labels["widths"].setText(
            f"số quầy {snapshot.counter_digits} chữ số, số thứ tự {snapshot.number_digits} chữ số "
            "(cố định từ khi thiết lập)"
        )
        for key, edit in self.edits.items():
            edit.setText(str(getattr(settings, key)))
        for key, title in PRINTER_KEYS:
            self.printers[key] = printer_combo(str(getattr(settings, key)))
            add_field(self._form, title, self.printers[key], self.errors, key)
        self.save_button.setEnabled(True)

    def changes(self) -> dict[str, str]:
        """The settings whose value differs from what was loaded."""
        if self._snapshot is None:
            return {}
        values = {key: edit.text().strip() for key, edit in self.edits.items()}
        values |= {key: str(combo.currentData() or "") for key, combo in self.printers.items()}
        return {key: value for key, value in values.items() if value != str(getattr(self._snapshot.settings, key))}

    def save(self) -> None:
        self.errors.clear()
        try:
            role = central_role(self.edits["central_url"].text())
        except ValidationError as exc:
            self.errors.show({exc.field: exc.message})
            return
        password = self.password_edit.text()
        if password and not role:
            self.errors.show({"central_password": "Cần nhập địa chỉ máy chủ trung tâm trước khi lưu mật khẩu."})
            return
        self.save_button.setEnabled(False)
        self._runner.run_serial(
            self._services.settings.save,
            self.changes(),
            password,
            on_done=self._on_saved,
            on_error=self._on_failed,
        )

    def _on_saved(self, settings: object) -> None:
        log.info("settings saved")
        emit(self.sig_saved, settings)
        self.accept()

    def _on_failed(self, exc: object) -> None:
        self.save_button.setEnabled(self._snapshot is not None)
        if isinstance(exc, ValidationError) and not self.errors.show({exc.field: readable(exc.message)}):
            return
        error = exc if isinstance(exc, BaseException) else CounterError(str(exc))
        # the clerk reads the settings' names, never their keys
        show_error(self, error, message=readable(error.message) if isinstance(error, CounterError) else None)
