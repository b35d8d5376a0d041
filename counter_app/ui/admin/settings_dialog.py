"""SettingsDialog: the installation's settings edited after the first run, in tabs, each under its Vietnamese name;
the agency and its code widths stay fixed."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.errors import CounterError, ValidationError
from counter_app.services.common.settings import SETTING_LABELS, parse_setting, setting_label
from counter_app.ui.admin.settings_fields import TABS, editor_for, value_of
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import show_error
from counter_app.ui.widgets.field_errors import FieldErrors, add_field

if TYPE_CHECKING:
    from counter_app.services.installation.counter_profile import SettingsSnapshot
    from counter_app.services.registry import Services

log = logging.getLogger(__name__)

EXTRA_LABELS = {
    "sync_credential": "Thông tin xác thực đồng bộ mới",
}
SYNC_TAB = "Đồng bộ"


def readable(message: str) -> str:
    """A service's message with each setting's key replaced by the name the clerk sees on this screen."""
    names = {**SETTING_LABELS, **EXTRA_LABELS}
    for key, name in names.items():
        message = message.replace(f"“{key}”", f"“{name}”")
        # a bare key, but not a word of a command ("counter-app init") or of a longer key
        message = re.sub(rf"(?<![\w.-]){re.escape(key)}(?![\w-])", f"“{name}”", message)
    return message


class SettingsDialog(QDialog):
    sig_saved = Signal(object)
    """The settings were saved: the new Settings."""

    def __init__(self, services: Services, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Thiết lập")
        self.setMinimumWidth(760)
        self._services = services
        self._runner = runner
        self._snapshot: SettingsSnapshot | None = None
        self.errors = FieldErrors()
        self.tabs = QTabWidget()
        self.forms: dict[str, QFormLayout] = {}
        self._tab_of: dict[str, int] = {}
        for index, tab in enumerate(TABS):
            page = QWidget()
            layout = QVBoxLayout(page)
            if tab.note:
                note = QLabel(tab.note, wordWrap=True)
                layout.addWidget(note)
            self.forms[tab.title] = QFormLayout()
            layout.addLayout(self.forms[tab.title])
            layout.addStretch(1)
            self.tabs.addTab(page, tab.title)
            self._tab_of |= dict.fromkeys(tab.keys, index)
        self.fixed_labels: dict[str, QLabel] = {}
        unit_form = self.forms[TABS[0].title]
        for key, title in (("agency", "Cơ quan"), ("counter", "Số quầy"), ("widths", "Độ dài mã hồ sơ")):
            self.fixed_labels[key] = QLabel("…", wordWrap=True)  # long agency names wrap, never cut
            unit_form.addRow(title, self.fixed_labels[key])
        self.widgets: dict[str, QWidget] = {}
        self.edits: dict[str, QLineEdit] = {}
        self.printers: dict[str, QComboBox] = {}
        self.credential_state = QLabel("…")
        self.credential_edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.credential_edit.setPlaceholderText(
            "Dán dòng “cc1.…” do quản trị viên thành phố cấp; để trống nếu không đổi"
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Lưu")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Đóng")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
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
        for tab in TABS:
            for key in tab.keys:
                widget = editor_for(key, settings)
                self.widgets[key] = widget
                if isinstance(widget, QLineEdit):
                    self.edits[key] = widget
                elif key.startswith("printer_") and isinstance(widget, QComboBox):
                    self.printers[key] = widget
                add_field(self.forms[tab.title], setting_label(key), widget, self.errors, key)
        sync_form = self.forms[SYNC_TAB]
        sync_index = [tab.title for tab in TABS].index(SYNC_TAB)
        self.credential_state.setText(
            "Quầy đã lưu thông tin xác thực đồng bộ (không hiển thị)."
            if snapshot.credential_kept
            else "Quầy chưa có thông tin xác thực đồng bộ."
        )
        sync_form.addRow("Thông tin xác thực", self.credential_state)
        add_field(sync_form, EXTRA_LABELS["sync_credential"], self.credential_edit, self.errors, "sync_credential")
        self._tab_of |= {"sync_credential": sync_index}
        self.save_button.setEnabled(True)

    def changes(self) -> dict[str, str]:
        """The settings whose value differs from what was loaded."""
        if self._snapshot is None:
            return {}
        values = {key: value_of(widget) for key, widget in self.widgets.items()}
        return {key: value for key, value in values.items() if value != str(getattr(self._snapshot.settings, key))}

    def save(self) -> None:
        self.errors.clear()
        try:
            # refused at the field before anything is saved: a postgresql:// address (counters sync only through
            # the city's sync service), or anything that is not an https:// address
            parse_setting("central_url", self.edits["central_url"].text())
        except ValidationError as exc:
            self._show_field_error(exc.field, exc.message)
            return
        self.save_button.setEnabled(False)
        self._runner.run_serial(
            self._services.settings.save,
            self.changes(),
            self.credential_edit.text(),
            on_done=self._on_saved,
            on_error=self._on_failed,
        )

    def _show_field_error(self, key: str, message: str) -> bool:
        """The message under its field, on the field's tab; False when no field of this screen has that key."""
        if self.errors.show({key: readable(message)}):
            return False
        self.tabs.setCurrentIndex(self._tab_of.get(key, self.tabs.currentIndex()))
        widget = self.errors.first_widget({key: message})
        if widget is not None:
            widget.setFocus()
        return True

    def _on_saved(self, settings: object) -> None:
        log.info("settings saved")
        self.credential_edit.clear()
        emit(self.sig_saved, settings)
        self.accept()

    def _on_failed(self, exc: object) -> None:
        self.save_button.setEnabled(self._snapshot is not None)
        if isinstance(exc, ValidationError) and self._show_field_error(exc.field, exc.message):
            return
        error = exc if isinstance(exc, BaseException) else CounterError(str(exc))
        # the clerk reads the settings' names, never their keys
        show_error(self, error, message=readable(error.message) if isinstance(error, CounterError) else None)
