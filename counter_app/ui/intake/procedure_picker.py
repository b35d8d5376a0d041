"""ProcedurePicker: choose a procedure by typing part of its name (marks optional) or its code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from counter_app.services.common.views import ProcedureView
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner

if TYPE_CHECKING:
    from counter_app.services.registry import Services

PROCEDURE_ROLE = Qt.ItemDataRole.UserRole
MATCHES_MAX_HEIGHT = 150
SEARCH_PLACEHOLDER = "Gõ tên thủ tục (không dấu cũng được) hoặc mã TTHC"
RECENT_PLACEHOLDER = "Gõ tên thủ tục hoặc mã TTHC; ↓ chọn thủ tục quầy vừa tiếp nhận"
RECENT_TOOLTIP = "Thủ tục quầy này tiếp nhận gần đây nhất, mới nhất ở trên: ↓ rồi Enter để chọn."


def display_name(proc: ProcedureView) -> str:
    return f"{proc.name} ({proc.code})"


class _SearchEdit(QLineEdit):
    sig_down = Signal()
    """Down arrow: move into the list of matches."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Down:
            emit(self.sig_down)
            return
        super().keyPressEvent(event)


class ProcedurePicker(QWidget):
    """A search line and, while searching, the list of matches (services.catalogue.list_procedures).

    Empty and focused, the list offers this counter's most recent procedures instead
    (services.intake.list_recent_procedures), newest first, none current: Down then Enter takes the newest, so the
    procedure a counter takes in all day is two keys away, and a stray Enter on the empty line chooses nothing.
    """

    sig_selected = Signal(object)
    """The chosen procedure changed: its ProcedureView, or None when the choice was cleared."""
    sig_chosen = Signal(object)
    """The clerk picked a procedure from the matches (Enter or click): its ProcedureView; the owner moves the focus."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Services | None = None
        self._procedure: ProcedureView | None = None
        self._last_choice: ProcedureView | None = None
        self._generation = 0
        self._searching = False  # a search of the typed text is waiting for its debounce or its worker
        self._choose_when_found = False  # Enter came before the matches: take the first one when they arrive
        self._setting_text = False
        self._recent: list[ProcedureView] = []
        self._showing_recent = False
        self.edit = _SearchEdit(placeholderText=SEARCH_PLACEHOLDER)
        self.edit.setClearButtonEnabled(True)
        self.matches = QListWidget()
        self.matches.setMaximumHeight(MATCHES_MAX_HEIGHT)
        self.matches.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.matches)
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self._search)
        self.edit.textEdited.connect(self._on_edited)
        self.edit.textChanged.connect(self._on_text_changed)
        self.edit.returnPressed.connect(self._choose_current)
        self.edit.sig_down.connect(self._enter_list)
        self.matches.itemActivated.connect(self._choose_item)
        self.matches.itemClicked.connect(self._choose_item)
        self.edit.installEventFilter(self)
        self.matches.installEventFilter(self)
        self.setFocusProxy(self.edit)

    def set_services(self, services: Services) -> None:
        self._services = services

    def procedure(self) -> ProcedureView | None:
        return self._procedure

    def match_names(self) -> list[str]:
        return [self.matches.item(i).text() for i in range(self.matches.count())]

    def showing_recent(self) -> bool:
        """Whether the list shows the counter's recent procedures (not the matches of a search)."""
        return self._showing_recent and not self.matches.isHidden()

    # the counter's recent procedures
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.FocusIn and watched is self.edit and self._offers_recent():
            self._offer_recent()
            self.refresh_recent()
        elif event.type() == QEvent.Type.FocusOut and self._showing_recent:
            # Qt has already moved the focus: within the picker (the line to its list) the offer stays
            focus = QApplication.focusWidget()
            if focus is not self.edit and focus is not self.matches:
                self._hide_matches()
        return False

    def refresh_recent(self) -> None:
        """Read the counter's recent procedures again (off the UI thread); shown if the line is still empty."""
        if self._services is not None:
            self._runner.run_pooled(
                self._services.intake.list_recent_procedures, on_done=self._on_recent, on_error=self._on_recent_failed
            )

    def _on_recent(self, procedures: list[ProcedureView]) -> None:
        if procedures == self._recent:
            return
        self._recent = list(procedures)
        if self._showing_recent and not self.matches.hasFocus():
            self._hide_matches()  # shown again below with the new list; a row the clerk is on is left alone
        if self.edit.hasFocus():
            self._offer_recent()

    def _on_recent_failed(self, _exc: object) -> None:
        self._recent = []  # the offer is a convenience: typing the name still works

    def _offers_recent(self) -> bool:
        return self._procedure is None and not self.edit.text().strip() and not self._searching

    def _offer_recent(self) -> None:
        """The recent procedures in the list while nothing is typed or chosen (kept as they are if shown)."""
        if not self._offers_recent():
            return
        if not self._recent:
            self._hide_matches()
            return
        if self._showing_recent and not self.matches.isHidden():
            return
        self._fill(self._recent)
        self.matches.setCurrentRow(-1)  # Down goes to the first row; Enter on the empty line chooses nothing
        self.matches.setToolTip(RECENT_TOOLTIP)
        self.edit.setPlaceholderText(RECENT_PLACEHOLDER)
        self._showing_recent = True
        self.matches.show()

    def _fill(self, procedures: list[ProcedureView]) -> None:
        self._showing_recent = False
        self.matches.setToolTip("")
        self.edit.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.matches.clear()
        for proc in procedures:
            item = QListWidgetItem(display_name(proc))
            item.setData(PROCEDURE_ROLE, proc)
            self.matches.addItem(item)
        if procedures:
            # as tall as its rows: five recent procedures leave the empty intake unscrolled at 1366×728
            rows = self.matches.sizeHintForRow(0) * len(procedures) + 2 * self.matches.frameWidth()
            self.matches.setFixedHeight(min(MATCHES_MAX_HEIGHT, rows))

    def _hide_matches(self) -> None:
        self.matches.clear()
        self.matches.hide()
        self._showing_recent = False
        self.matches.setToolTip("")
        self.edit.setPlaceholderText(SEARCH_PLACEHOLDER)

    def select(self, proc: ProcedureView | None) -> None:
        self._procedure = proc
        self._last_choice = proc
        self._setting_text = True
        self.edit.setText(display_name(proc) if proc else "")
        self._setting_text = False
        self._choose_when_found = False
        self._searching = False
        self._debounce.stop()
        self._generation += 1  # a search still running for the typed text is not shown any more
        self._hide_matches()  # a later search never shows (or answers Enter with) this search's matches
        emit(self.sig_selected, proc)
        if proc is None and self.edit.hasFocus():
            self._offer_recent()

    def select_code(self, code: str) -> None:
        """Choose by code (restoring a draft); looked up off the UI thread."""
        if self._services is not None and code:
            self._runner.run_pooled(
                self._services.catalogue.get_procedure, code, on_done=self.select, on_error=self._on_lookup_failed
            )

    def _on_lookup_failed(self, _exc: object) -> None:
        self.select(None)  # the procedure left the catalogue since the draft was saved

    def _on_text_changed(self, text: str) -> None:
        # programmatic changes too (a scan restored, a form reset): a text unlike the choice drops the choice
        if self._setting_text:
            return
        if not text and not self.edit.isModified():
            # emptied by the program (a scanner burst taken back out of this line): no search of it is pending
            self._debounce.stop()
            self._searching = False
            self._generation += 1
            self._offer_recent()
        if self._procedure is not None and text != display_name(self._procedure):
            self._procedure = None
            emit(self.sig_selected, None)
        elif self._procedure is None and self._last_choice is not None and text == display_name(self._last_choice):
            # the text came back (a scanner burst taken back out of this field): so does the choice
            self._procedure = self._last_choice
            self.matches.hide()
            emit(self.sig_selected, self._procedure)

    def _on_edited(self, _text: str) -> None:
        self._choose_when_found = False
        self._searching = True
        self._debounce.start()

    def _search(self) -> None:
        text = self.edit.text().strip()
        if self._services is None or not text:
            self._searching = False
            self._choose_when_found = False
            self._generation += 1  # a search of what was typed before is not shown any more
            self._offer_recent()
            if not self._showing_recent:
                self._hide_matches()
            return
        self._generation += 1
        self._runner.run_pooled(_search, self._services, text, self._generation, on_done=self._on_matches)

    def _on_matches(self, result: tuple[int, list[ProcedureView]]) -> None:
        generation, procedures = result
        if generation != self._generation:
            return
        self._searching = False
        if self._procedure is not None:
            return
        self._fill(procedures)
        if procedures:
            self.matches.setCurrentRow(0)
        self.matches.setVisible(bool(procedures))
        if self._choose_when_found and procedures:
            self._choose_item(self.matches.item(0))

    def _enter_list(self) -> None:
        if not self.matches.isHidden() and self.matches.count():
            if self.matches.currentRow() < 0:
                self.matches.setCurrentRow(0)
            self.matches.setFocus()

    def _choose_current(self) -> None:
        if self._searching:
            # Enter came before the matches of what was typed last (the list may still show an older search's):
            # the Enter is not lost, it takes the first match once they arrive
            self._choose_when_found = True
            if self._debounce.isActive():
                self._debounce.stop()
                self._search()
            return
        item = self.matches.currentItem() if not self.matches.isHidden() else None
        if item is not None and not self._showing_recent:
            self._choose_item(item)

    def _choose_item(self, item: QListWidgetItem) -> None:
        proc = item.data(PROCEDURE_ROLE)
        self.select(proc)
        self.edit.setFocus()  # the list is hidden now; the owner moves on from here (sig_chosen)
        emit(self.sig_chosen, proc)


def _search(services: Services, text: str, generation: int) -> tuple[int, list[ProcedureView]]:
    return generation, services.catalogue.list_procedures(text)
