"""ChecklistKeys: Enter on the paper checklist leads to "Tiếp nhận" only when the papers allow an acceptance."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent

from counter_app.ui.intake.intake_fields import IntakeFields

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ChecklistKeys(QObject):
    """The keyboard's way from the checklist to the acceptance, one deliberate key at a time.

    Enter on the checklist moves the focus to "Tiếp nhận" when every required paper is ticked, and does nothing
    else (no outcome, no print); with a paper missing it stays on the checklist, on that paper, with the reason
    under the table. Enter on the focused "Tiếp nhận" then accepts, as Space does (a plain push button outside a
    dialog ignores Enter, and a clerk who was led there with Enter presses it again).
    """

    def __init__(self, fields: IntakeFields, accept: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fields = fields
        self._accept = accept
        fields.papers.sig_enter.connect(self._on_papers_enter)
        fields.accept_button.installEventFilter(self)

    def _on_papers_enter(self) -> None:
        fields = self._fields
        problem = fields.papers_problem()
        if problem:
            fields.errors.set("papers", problem)
            fields.focus_papers(fields.papers.first_missing_row())
            return
        fields.errors.clear("papers")
        if fields.accept_button.isEnabled():
            fields.accept_button.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self._fields.accept_button
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER_KEYS
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and not event.isAutoRepeat()
        ):
            if self._fields.accept_button.isEnabled():
                self._accept()
            return True
        return False
