"""DossierTabs: the dossiers open in the work area, one tab each, with the window's sync state in their header."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.sync_panel import SyncPanel
from counter_app.ui.shell.work_area import WorkArea

if TYPE_CHECKING:
    from counter_app.services.common.changes import Changes
    from counter_app.services.common.views import DossierView
    from counter_app.services.registry import Services
    from counter_app.ui.dossier.dossier_screen import DossierScreen


class DossierTabs(QObject):
    """Opens each dossier once (a second open brings its tab to the front) and forgets it when its tab closes."""

    sig_changed = Signal(object, object)
    """An action in a dossier's screen changed it: the Changes and the screen (which has reloaded itself)."""
    sig_document_ready = Signal(object)
    """A dossier's screen rendered a document: the DocumentResult."""
    sig_opened = Signal(object)
    """A dossier's screen was shown (new or brought to the front): the DossierScreen."""
    sig_count = Signal(int)
    """How many dossiers are open, after one was opened or closed."""
    sig_complete_slip = Signal(str)
    """The clerk chose "Tiếp nhận bổ sung" on a Mẫu 02 slip's screen: the slip's number."""

    def __init__(self, runner: TaskRunner, workspace: WorkArea, sync_panel: SyncPanel, parent: QObject) -> None:
        super().__init__(parent)
        self._runner = runner
        self._workspace = workspace
        self._sync_panel = sync_panel
        self._services: Services | None = None
        self.screens: dict[str, DossierScreen] = {}
        self.sync_labels: dict[str, QLabel] = {}

    def open(self, services: Services, key: str) -> None:
        """By code, slip number or UUID: looked up off the UI thread, then shown (sig_opened)."""
        self._services = services
        self._runner.run_pooled(services.dossiers.get_dossier, key, on_done=self._on_found)

    def _on_found(self, view: DossierView) -> None:
        if self._services is not None:
            emit(self.sig_opened, self.show(self._services, view))

    def show(self, services: Services, view: DossierView) -> DossierScreen:
        """The dossier's tab, made on its first opening, brought to the front."""
        screen = self.screens.get(view.uuid)
        if screen is None:
            from counter_app.domain.dossier import KIND_SUPPLEMENT_SLIP  # not at start-up (tests/ui/test_startup.py)
            from counter_app.ui.dossier.dossier_screen import DossierScreen

            screen = DossierScreen(services, self._runner, view.uuid)
            screen.sig_changed.connect(self._on_screen_changed)
            screen.sig_document_ready.connect(self._on_document)
            self.screens[view.uuid] = screen
            self._workspace.add_page(screen, f"Hồ sơ {view.code or view.slip or ''}", closable=True)
            label = QLabel()
            label.setObjectName("dossierSyncState")
            screen.add_header_widget(label)
            self.sync_labels[view.uuid] = label
            if view.kind == KIND_SUPPLEMENT_SLIP:
                self._add_completion(services, screen)
            emit(self.sig_count, len(self.screens))
        self._sync_panel.show_dossier_state(self.sync_labels[view.uuid], view.uuid)
        self._workspace.setCurrentWidget(screen)
        return screen

    def _add_completion(self, services: Services, screen: DossierScreen) -> None:
        """A Mẫu 02 slip's screen offers to take in its dossier while the slip waits for the applicant."""
        from counter_app.domain.dossier import SLIP_STAGE
        from counter_app.domain.roles import PERMISSION_LABELS, PERMISSION_ROLES, Permission

        button = QPushButton("Tiếp nhận bổ sung")
        button.setObjectName("completeSlip")
        button.setToolTip("Người nộp mang giấy tờ bổ sung: mở tiếp nhận điền sẵn theo phiếu")
        allowed = services.accounts.allows(Permission.INTAKE)
        button.setEnabled(allowed)
        if not allowed:
            role = PERMISSION_ROLES[Permission.INTAKE].label
            button.setToolTip(f"Việc {PERMISSION_LABELS[Permission.INTAKE]} cần vai trò {role}.")
        button.clicked.connect(lambda: emit(self.sig_complete_slip, screen.key))
        screen.sig_loaded.connect(lambda view: button.setVisible(view.stage == SLIP_STAGE))
        screen.add_header_widget(button)

    def holds(self, widget: QWidget) -> bool:
        return any(widget is screen for screen in self.screens.values())

    def forget(self, widget: QWidget) -> None:
        """The tab of `widget` is being closed."""
        self.screens = {k: s for k, s in self.screens.items() if s is not widget}
        self.sync_labels = {k: v for k, v in self.sync_labels.items() if k in self.screens}
        emit(self.sig_count, len(self.screens))

    def reload_all(self) -> None:
        """Another person signed in: the buttons follow the new role."""
        for screen in self.screens.values():
            screen.reload()

    def show_sync_states(self) -> None:
        for key, label in self.sync_labels.items():
            self._sync_panel.show_dossier_state(label, key)

    def on_changes(self, changes: Changes, initiator: object = None) -> None:
        """Each open dossier the changes may have touched is read again (a sync's pull included)."""
        for screen in list(self.screens.values()):
            screen.on_changes(changes, initiator)

    def _on_screen_changed(self, view: DossierView) -> None:
        from counter_app.services.common.changes import dossier_changed

        emit(self.sig_changed, dossier_changed(view.uuid), self.sender())

    def _on_document(self, document: object) -> None:
        emit(self.sig_document_ready, document)
