"""IntakeTab: the intake screen as the first page of the work area: made on first use, kept until closed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.work_area import WorkArea

if TYPE_CHECKING:
    from counter_app.services.common.views import IntakeResult
    from counter_app.services.registry import Services
    from counter_app.ui.intake.intake_screen import IntakeScreen


class IntakeTab(QObject):
    sig_changed = Signal(object, object)
    """An intake had an outcome: the Changes (its dossier, the queues) and the screen."""
    sig_message = Signal(str)
    """What the message line says about the outcome."""
    sig_open_dossier = Signal(str)
    """The clerk asked for the dossier just made: its code."""
    sig_document_ready = Signal(object)
    """A slip or receipt was rendered: the DocumentResult."""

    def __init__(self, runner: TaskRunner, workspace: WorkArea, parent: QObject) -> None:
        super().__init__(parent)
        self._runner = runner
        self._workspace = workspace
        self.screen: IntakeScreen | None = None

    def open(self, services: Services) -> IntakeScreen:
        """The intake page in front, with an empty form after an outcome (a form being filled is kept)."""
        if self.screen is None:
            from counter_app.ui.intake.intake_screen import IntakeScreen

            self.screen = IntakeScreen(services, self._runner)
            self.screen.sig_outcome.connect(self._on_outcome)
            self.screen.sig_open_dossier.connect(self._on_open_dossier)
            self.screen.sig_document_ready.connect(self._on_document)
            self._workspace.insertTab(0, self.screen, "Tiếp nhận mới")
        self._workspace.setCurrentWidget(self.screen)
        self.screen.new_intake()
        return self.screen

    def holds(self, widget: QWidget) -> bool:
        return self.screen is not None and widget is self.screen

    def flush_draft(self) -> None:
        if self.screen is not None:
            self.screen.flush_draft()

    def forget(self) -> None:
        """Its tab is being closed: the form being filled is saved as a draft first."""
        self.flush_draft()
        self.screen = None

    def _on_outcome(self, result: IntakeResult) -> None:
        from counter_app.services.common.changes import dossier_changed
        from counter_app.ui.intake.intake_confirmation import outcome_message

        if message := outcome_message(result):
            emit(self.sig_message, message)
        emit(self.sig_changed, dossier_changed(result.uuid), self.screen)

    def _on_open_dossier(self, key: str) -> None:
        emit(self.sig_open_dossier, key)

    def _on_document(self, document: object) -> None:
        emit(self.sig_document_ready, document)
