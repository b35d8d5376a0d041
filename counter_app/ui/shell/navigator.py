"""Navigator: which page of the work area is in front, and the place of the rail it stands for."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from counter_app.ui.queue.queue_panel import QUEUE_TITLES, QueuePanel
from counter_app.ui.shell.fixed_pages import FixedPages
from counter_app.ui.shell.rail import NavigationRail
from counter_app.ui.shell.work_area import WorkArea

if TYPE_CHECKING:
    from counter_app.domain.roles import Permission
    from counter_app.ui.intake.intake_screen import IntakeScreen


class Navigator(QObject):
    """The rail follows the page in front; a place chosen on the rail brings its page to the front.

    `intake` gives the intake screen when one is open; `open_intake` and `open_settings` open them (the window's).
    """

    def __init__(
        self,
        workspace: WorkArea,
        rail: NavigationRail,
        queue_panel: QueuePanel,
        pages: FixedPages,
        intake: Callable[[], IntakeScreen | None],
        openers: dict[str, Callable[[], object]],
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._rail = rail
        self._queue_panel = queue_panel
        self._pages = pages
        self._intake = intake
        self._openers = openers  # "intake", "settings"
        workspace.currentChanged.connect(self._on_current_changed)
        queue_panel.sig_wants_front.connect(self.bring_queue_to_front)

    def add_opener(self, place: str, opener: Callable[[], object]) -> None:
        """A place that opens something of its own (the session's password change)."""
        self._openers[place] = opener

    def follow_role(self, allows: Callable[[Permission], bool], signed_in: bool) -> None:
        """The administration places shown to the roles that may use them (the services refuse the others)."""
        from counter_app.domain.roles import Permission
        from counter_app.ui.admin.backup_dialogs import pending_re_entry

        self._rail.buttons["accounts"].setVisible(allows(Permission.USERS))
        self._rail.buttons["audit"].setVisible(allows(Permission.AUDIT))
        self._rail.buttons["backups"].setVisible(allows(Permission.BACKUP))
        self._rail.buttons["password"].setVisible(signed_in)
        may_back_enter = allows(Permission.BACK_ENTRY)
        self._rail.buttons["back_entry"].setVisible(may_back_enter)
        intake = self._intake()
        if intake is not None and intake.after_the_fact.active and not may_back_enter:
            intake.start_over()  # a supervisor's "Nhập hồ sơ sau" is not left to the next person signed in
        if may_back_enter and pending_re_entry():  # a restore left dossiers to re-enter (its notice restarted us)
            self.go_to("back_entry")
        shown = self.place_shown() or ""
        if shown in ("accounts", "audit", "backups") and not self._rail.buttons[shown].isVisible():
            self.show_queue("today")

    def place_shown(self) -> str | None:
        """The rail's place of the page in view (None for search results)."""
        current = self._workspace.currentWidget()
        if current is None:
            return None
        if current is self._queue_panel:
            key = self._queue_panel.key
            return None if key == "search" else key
        if self._workspace.is_document(current):
            return "dossiers"
        intake = self._intake()
        if intake is not None and current is intake:
            return "intake"
        return self._pages.place_of(current)

    def go_to(self, place: str) -> None:
        """Show a place of the rail (its key: see rail.PLACES)."""
        if place in self._openers:
            self._openers[place]()
        elif place in QUEUE_TITLES:
            self.show_queue(place)
        elif place == "dossiers":
            documents = self._workspace.documents()
            if documents:
                self._workspace.setCurrentWidget(documents[self._workspace.document_bar.currentIndex()])
        elif (page := self._pages.page_of(place)) is not None:
            self._workspace.setCurrentWidget(page)
        self._rail.set_current(self.place_shown())

    def show_queue(self, key: str) -> None:
        """The queue page in front, with one queue (a key of QUEUE_TABS) read again from the first page."""
        self._workspace.setCurrentWidget(self._queue_panel)
        self._queue_panel.show_queue(key)
        self._rail.set_current(self.place_shown())

    def bring_queue_to_front(self) -> None:
        self._workspace.setCurrentWidget(self._queue_panel)
        self._rail.set_current(self.place_shown())

    def _on_current_changed(self, _index: int) -> None:
        self._pages.on_shown()
        self._rail.set_current(self.place_shown())
