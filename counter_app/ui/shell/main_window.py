"""MainWindow: the rail of places on the left, the work area (queues, intake, dossiers, late cases, catalogue,
calendar, statistics) on the right, one message line at the bottom (docs: shared desk layout, 1366×728).

After an action or a sync the window says what changed once (`sig_changed`); each page decides whether to read
again (the queue, the open dossiers, the late cases, the statistics in view).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from counter_app.ui.admin.settings_entry import SettingsEntry
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.style import STYLE_SHEET
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.queue.queue_panel import QUEUE_PAGE_TITLE, QueuePanel
from counter_app.ui.shell.dossier_tabs import DossierTabs
from counter_app.ui.shell.fixed_pages import FixedPages
from counter_app.ui.shell.intake_tab import IntakeTab
from counter_app.ui.shell.message_line import DeskStatusLine
from counter_app.ui.shell.navigator import Navigator
from counter_app.ui.shell.rail import NavigationRail
from counter_app.ui.shell.scan_router import ScanRouter
from counter_app.ui.shell.startup_summary import StartupSummary
from counter_app.ui.shell.sync_panel import SyncPanel
from counter_app.ui.shell.window_actions import WindowActions
from counter_app.ui.shell.work_area import WorkArea, three_zones

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel

    from counter_app.services.common.changes import Changes
    from counter_app.services.documents.printed_documents import DocumentResult
    from counter_app.services.installation.counter_profile import StatusInfo
    from counter_app.services.registry import Services
    from counter_app.services.syncing.sync_status import SyncReport
    from counter_app.ui.admin.calendar_panel import CalendarPanel
    from counter_app.ui.admin.catalogue_panel import CataloguePanel
    from counter_app.ui.admin.first_run_wizard import FirstRunWizard
    from counter_app.ui.admin.settings_dialog import SettingsDialog
    from counter_app.ui.code_scanners.serial import SerialScanner
    from counter_app.ui.code_scanners.wedge import ScannerFilter
    from counter_app.ui.documents.print_preview import DocumentPreviews
    from counter_app.ui.dossier.dossier_screen import DossierScreen
    from counter_app.ui.dossier.late_panel import LatePanel
    from counter_app.ui.intake.intake_screen import IntakeScreen
    from counter_app.ui.reports.dashboard import DashboardPanel
    from counter_app.ui.shell.maintenance_watch import MaintenanceWatcher

# Start-up: the window is shown before the services exist, so this module imports only what the empty window
# needs. The screens and panels, which import the domain (its calendar imports holidays), the services' view
# objects or QtPdf, are imported when first opened, or when the services arrive (by then the worker has imported
# SQLAlchemy and the domain). Even `Qt` (the namespace) is imported where used: its first use builds a hundred
# enums (about 25 ms), which the first paint of the window's frame does without.

log = logging.getLogger(__name__)

QUEUE_REFRESH_MS = 5 * 60_000  # dossiers move into "due soon" and "overdue" as time passes


class MainWindow(QMainWindow):
    sig_services_ready = Signal()
    """The services were handed over, the panels built and the first views asked for."""
    sig_dossier_opened = Signal(object)
    """A dossier screen is shown (new or brought to front): the DossierScreen."""
    sig_intake_opened = Signal(object)
    """The intake screen is shown: the IntakeScreen."""
    sig_scan_handled = Signal(str)
    """A scan was acted on: "dossier", "id_card" or "unknown"."""
    sig_changed = Signal(object, object)
    """An action or a sync changed data: the Changes, and the page that did it (it has refreshed itself) or None."""

    def __init__(
        self,
        runner: TaskRunner,
        *,
        scanner: ScannerFilter | None = None,
        open_documents: bool = True,
        offer_first_run: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Bộ phận Một cửa — Tiếp nhận và trả kết quả")
        self.setStyleSheet(STYLE_SHEET)
        self.resize(1366, 728)  # a 1366×768 screen less a taskbar (desk-layout.md)
        self._runner = runner
        self._open_documents = open_documents
        self._previews: DocumentPreviews | None = None
        self.services: Services | None = None
        self._may_settings = True

        self.rail = NavigationRail()
        self.rail.sig_place_chosen.connect(self.go_to)
        self.counter_label = self.rail.counter_label
        self.clerk_label = self.rail.clerk_label
        self._build_actions()
        self._build_queue()
        self.workspace = WorkArea()
        self.workspace.add_page(self.queue_panel, QUEUE_PAGE_TITLE)
        self.workspace.tabCloseRequested.connect(self._close_tab)
        self.setCentralWidget(three_zones(self.rail, self.toolbar, self.workspace))
        self.message_line = DeskStatusLine(self.sync_panel)
        self.setStatusBar(self.message_line)
        self.date_label, self.db_label = self.message_line.date_label, self.message_line.db_label
        self.settings_entry = SettingsEntry(runner, self, offer_first_run=offer_first_run)
        self.settings_entry.sig_configured.connect(self._on_configured)
        # built when the services arrive: they show nothing before
        self.pages = FixedPages(runner, self.workspace, self)
        self.pages.sig_late_counts.connect(self.rail.show_late_counts)
        self.pages.sig_late_counts.connect(self.startup_summary.set_late)
        self.places = Navigator(
            self.workspace,
            self.rail,
            self.queue_panel,
            self.pages,
            lambda: self.intake,
            {"intake": self.open_intake, "settings": self.open_settings},
            self,
        )
        self.intake_tab = IntakeTab(runner, self.workspace, self, lambda: self.services, self.open_dossier)
        self.intake_tab.sig_message.connect(self.show_message)
        self.intake_tab.sig_open_dossier.connect(self.open_dossier)
        self.places.add_opener("back_entry", self.intake_tab.open_after_the_fact)
        self.tabs = DossierTabs(runner, self.workspace, self.sync_panel, self)
        self.tabs.sig_count.connect(self.rail.show_open_dossiers)
        self.tabs.sig_opened.connect(self._on_dossier_opened)
        self.tabs.sig_complete_slip.connect(self.intake_tab.open_slip)
        for part in (self.pages, self.intake_tab, self.tabs):  # what their pages did, and what to show of it
            part.sig_changed.connect(self.announce)
            part.sig_document_ready.connect(self._on_document)
        for page in (self.queue_panel, self.tabs, self.pages):  # each decides whether to read again
            self.sig_changed.connect(page.on_changes)

        self.scans = ScanRouter(self.open_intake, self.open_dossier, self.show_message, self, self.intake_tab.open_slip)
        self.scans.sig_handled.connect(self._on_scan_handled)
        if scanner is not None:
            self.connect_scanner(scanner)
        self._queue_timer = QTimer(self, interval=QUEUE_REFRESH_MS)
        self._queue_timer.timeout.connect(self.refresh_queue)
        self._set_ready(False)

    def connect_scanner(self, scanner: ScannerFilter) -> None:
        """Scans anywhere in the application open dossiers or fill the intake form (handle_scan)."""
        scanner.sig_scanned.connect(self.handle_scan)

    # building
    def _build_actions(self) -> None:
        self.sync_panel = SyncPanel(self._runner)
        self.sync_panel.sig_sync_done.connect(self._on_sync_done)
        self.commands = WindowActions(self, self.sync_panel)
        self.commands.connect(self.open_intake, self.focus_search, self.refresh_queue, self.open_settings)
        self.intake_action = self.commands.intake_action
        self.search_action = self.commands.search_action
        self.refresh_action = self.commands.refresh_action
        self.settings_action = self.commands.settings_action
        self.search_edit = self.commands.search_edit
        self.toolbar = self.commands.toolbar

    def _build_queue(self) -> None:
        # at start, one summary over the queue instead of boxes (desk-layout.md): shown with the services
        self.startup_summary = StartupSummary()
        self.startup_summary.setVisible(False)
        self.startup_summary.sig_open_late.connect(lambda: self.go_to("late"))
        self.startup_summary.follow_sync(self.sync_panel)
        # the queue page: the queue chosen on the rail, or the results of a search
        self.queue_panel = QueuePanel(self._runner, self.startup_summary)
        self.queue_title = self.queue_panel.title
        self.model = self.queue_panel.model
        self.table = self.queue_panel.table
        self.queue_panel.follow_search(self.search_edit)
        self.queue_panel.sig_open_dossier.connect(self.open_dossier)
        self.queue_panel.sig_counts.connect(self.rail.show_queue_counts)

    def _complete_window(self) -> None:
        """After the services arrived: the late-case, catalogue, calendar and statistics pages, built once, then
        given the services; sig_services_ready.

        The first paint of the window shows the frame without them (their modules import the domain and the
        services' view objects) and they are built after the work queue's first page was asked for.
        """
        if self.services is not None:
            self.pages.set_services(self.services)
            emit(self.sig_services_ready)

    # the pages built with the services
    @property
    def late_panel(self) -> LatePanel | None:
        return self.pages.late_panel

    @property
    def catalogue(self) -> CataloguePanel | None:
        return self.pages.catalogue

    @property
    def calendar(self) -> CalendarPanel | None:
        return self.pages.calendar

    @property
    def dashboard(self) -> DashboardPanel | None:
        return self.pages.dashboard

    def go_to(self, place: str) -> None:
        """Show a place of the rail (its key: see rail.PLACES)."""
        if self.services is not None:
            self.places.go_to(place)

    def connect_maintenance(self, maintenance: MaintenanceWatcher) -> None:
        """The automatic backup's state and a damaged database go to the start-up summary; a backup that cannot
        run (once) and a damaged database to the message line too (for the administrator), never to a box."""
        self.startup_summary.follow_maintenance(maintenance, tell=self.show_message)

    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        """What just happened, on the message line (whole, wrapped if need be); it does not take the focus."""
        self.message_line.showMessage(text, timeout_ms)

    def _set_ready(self, ready: bool) -> None:
        self.commands.set_ready(ready, may_settings=self._may_settings)
        self.rail.set_enabled_places(ready)
        self.rail.buttons["settings"].setEnabled(ready and self._may_settings)

    # services
    def set_services(self, services: Services) -> None:
        """The services arrived: the work queue's first page is asked for first; the panels are built in the next
        turn of the event loop (_complete_window), while a worker reads that page."""
        self.services = services
        # every task queued from now on acts as the person at the counter when it was queued
        self._runner.bind_actor = services.bound_to_acting_clerk
        self.message_line.show_database(services.settings.database_name)
        self.commands.set_shortcuts(self, self.rail, self.go_to)
        self._set_ready(True)
        self.startup_summary.show_once()
        self.message_line.follow_clock(services.clock)
        self._queue_timer.start()
        self.queue_panel.set_services(services)
        self.show_queue(self.queue_panel.key)
        self.queue_panel.refresh_counts()
        self._runner.run_pooled(services.settings.get_status, on_done=self._show_status)
        self.sync_panel.set_services(services)
        QTimer.singleShot(0, self, self._complete_window)

    def set_locked(self, locked: bool) -> None:
        """A locked session (ui.session) shows nothing of the database and accepts no action."""
        central = self.centralWidget()
        if central is not None:
            central.setVisible(not locked)
        if locked:
            self.message_line.clearMessage()  # it may name a dossier or a citizen
        self._set_ready(not locked and self.services is not None)

    def apply_session(self) -> None:
        """Another account signed in: the status bar and the open dossiers' buttons follow its role."""
        if self.services is not None:
            self._runner.run_pooled(self.services.settings.get_status, on_done=self._show_status)
            self.sync_panel.refresh()
        self.tabs.reload_all()

    def on_services_failed(self, exc: object) -> None:
        from counter_app.ui.widgets.errors import show_error

        self.message_line.show_database(None)
        show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    def _show_status(self, info: StatusInfo) -> None:
        self._may_settings = info.may_settings
        self._set_ready(self.search_edit.isEnabled())
        self.rail.show_installation(info)
        if self.services is not None:
            self.settings_entry.follow_status(info, self.services)

    @property
    def first_run(self) -> FirstRunWizard | None:
        return self.settings_entry.first_run

    def open_first_run(self) -> FirstRunWizard | None:
        """The first-run wizard (window-modal); when finished, the window works as the new counter."""
        return None if self.services is None else self.settings_entry.open_first_run(self.services)

    def open_settings(self) -> SettingsDialog | FirstRunWizard | None:
        """The settings; on an installation not yet set up, the first-run wizard instead."""
        return None if self.services is None else self.settings_entry.open_settings(self.services)

    def _on_configured(self, _settings: object) -> None:
        if self.services is not None:
            from counter_app.services.common.changes import Changes

            self._runner.run_pooled(self.services.settings.get_status, on_done=self._show_status)
            self.announce(Changes(queue=True, settings=True))
            self.sync_panel.refresh()

    def _on_sync_done(self, _complete: bool, outcome: SyncReport | BaseException) -> None:
        from counter_app.services.common.changes import Changes, after_sync

        # a failed or cancelled sync may still have pulled some batches: the queue is read again all the same
        self.announce(Changes(queue=True) if isinstance(outcome, BaseException) else after_sync(outcome.pulled))
        self.tabs.show_sync_states()

    # changes
    def announce(self, changes: Changes, initiator: object = None) -> None:
        """What an action or a sync changed, to every page (`initiator`: the page that did it, already fresh)."""
        if self.services is not None:
            emit(self.sig_changed, changes, initiator)

    def refresh_queue(self) -> None:
        """F5, the timer and the start: the queues (and the statistics in view) read again."""
        from counter_app.services.common.changes import Changes

        self.announce(Changes(queue=True))

    # queue
    def queue_key(self) -> str:
        """The queue the queue page shows: a key of QUEUE_TABS ("search" for the results of a search)."""
        return self.queue_panel.key

    def show_queue(self, key: str) -> None:
        """The queue page with one queue (a key of QUEUE_TABS), read again from the first page."""
        if self.services is None:
            self.queue_panel.show_queue(key)  # remembered for when the services come
        else:
            self.places.show_queue(key)

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    # screens
    @property
    def intake(self) -> IntakeScreen | None:
        return self.intake_tab.screen

    def open_intake(self) -> IntakeScreen | None:
        if self.services is None:
            return None
        screen = self.intake_tab.open(self.services)
        emit(self.sig_intake_opened, screen)
        return screen

    def open_dossier(self, key: str) -> None:
        """By code, slip number or UUID; looked up off the UI thread, then shown in its own tab."""
        if self.services is not None:
            self.tabs.open(self.services, key)

    def _on_dossier_opened(self, screen: DossierScreen) -> None:
        emit(self.sig_dossier_opened, screen)

    @property
    def dossier_tabs(self) -> dict[str, DossierScreen]:
        """The open dossiers' screens by UUID."""
        return self.tabs.screens

    @property
    def dossier_sync_labels(self) -> dict[str, QLabel]:
        return self.tabs.sync_labels

    def _close_tab(self, index: int) -> None:
        widget = self.workspace.widget(index)
        if widget is None or any(widget is fixed for fixed in (self.queue_panel, *self.pages.pages())):
            return
        if self.intake_tab.holds(widget):
            self.intake_tab.forget()
        elif self.tabs.holds(widget):
            self.tabs.forget(widget)
        self.workspace.removeTab(index)
        widget.deleteLater()

    def close_intake(self) -> None:
        if self.intake is not None:
            self._close_tab(self.workspace.indexOf(self.intake))

    def _on_document(self, document: DocumentResult) -> None:
        self.show_message(f"Đã tạo giấy tờ: {document.path}", 10_000)
        if self._open_documents and self.services is not None:
            # preview, then print on the printer remembered for this kind of document (QtPdf: loaded here)
            from counter_app.ui.documents.print_preview import DocumentPreviews

            if self._previews is None:
                self._previews = DocumentPreviews(self.services, self._runner, self, self._on_dossier_printed)
            self._previews.open(document)

    def _on_dossier_printed(self, dossier_uuid: str) -> None:
        from counter_app.services.common.changes import dossier_changed

        self.announce(dossier_changed(dossier_uuid))  # an open tab of the dossier shows the print in its history

    # scanning
    def connect_serial_scanner(self, scanner: SerialScanner) -> None:
        self.scans.connect_serial(scanner)

    def handle_scan(self, text: str, *, keyboard: bool = True) -> None:
        """A dossier code (or slip number) opens the dossier; an ID-card QR fills the intake form (ScanRouter)."""
        if self.services is not None:
            self.scans.handle(text, keyboard=keyboard)

    def _on_scan_handled(self, kind: str) -> None:
        emit(self.sig_scan_handled, kind)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.intake_tab.flush_draft()
        self.sync_panel.cancel()  # a running sync stops at its next batch instead of holding the exit
        super().closeEvent(event)
