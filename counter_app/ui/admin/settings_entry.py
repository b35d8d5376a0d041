"""SettingsEntry: the way into the settings: the first-run wizard on an installation not yet set up, the settings
dialog afterwards; one wizard at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner

if TYPE_CHECKING:
    from counter_app.services.common.settings import Settings
    from counter_app.services.installation.counter_profile import StatusInfo
    from counter_app.services.registry import Services
    from counter_app.ui.admin.first_run_wizard import FirstRunWizard
    from counter_app.ui.admin.settings_dialog import SettingsDialog


class SettingsEntry(QObject):
    sig_configured = Signal(object)
    """The first run finished or the settings were saved: the new Settings."""

    def __init__(self, runner: TaskRunner, window: QWidget, *, offer_first_run: bool = False) -> None:
        super().__init__(window)
        self._runner = runner
        self._window = window
        self.configured = True  # as the last status read said
        # the first-run wizard is offered once, on an installation not yet set up (never in tests' windows)
        self._offer_first_run = offer_first_run
        self.first_run: FirstRunWizard | None = None

    def follow_status(self, info: StatusInfo, services: Services) -> None:
        """The installation's status was read: whether it is set up; if not (and not the demo), the wizard once."""
        self.configured = info.configured
        if not info.configured and not info.demo and self._offer_first_run:
            self._offer_first_run = False
            self.open_first_run(services)

    def open_first_run(self, services: Services) -> FirstRunWizard:
        """The first-run wizard (window-modal); when finished, the window works as the new counter."""
        from PySide6.QtCore import Qt

        from counter_app.ui.admin.first_run_wizard import FirstRunWizard

        self.first_run = FirstRunWizard(services, self._runner, self._window)
        self.first_run.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.first_run.sig_configured.connect(self._on_configured)
        self.first_run.finished.connect(self._forget_first_run)
        self.first_run.open()
        return self.first_run

    def open_settings(self, services: Services) -> SettingsDialog | FirstRunWizard:
        """The settings; on an installation not yet set up, the first-run wizard instead."""
        if not self.configured:
            return self.first_run or self.open_first_run(services)
        from PySide6.QtCore import Qt

        from counter_app.ui.admin.settings_dialog import SettingsDialog

        dialog = SettingsDialog(services, self._runner, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_saved.connect(self._on_configured)
        dialog.open()
        return dialog

    def _forget_first_run(self, _result: int) -> None:
        self.first_run = None

    def _on_configured(self, settings: Settings) -> None:
        emit(self.sig_configured, settings)
