"""MainWindow: the rail of places on the left, the work area (queues, intake, dossiers, late cases, catalogue,
calendar, statistics) on the right, one message line at the bottom (docs: shared desk layout, 1366×728)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.style import STYLE_SHEET
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.queue.dossier_table_model import DossierTableModel
from counter_app.ui.shell.message_line import ElidedLabel, MessageLine
from counter_app.ui.shell.rail import PLACE_SHORTCUTS, NavigationRail
from counter_app.ui.shell.startup_summary import StartupSummary
from counter_app.ui.shell.sync_panel import SyncPanel
from counter_app.ui.shell.work_area import WorkArea

if TYPE_CHECKING:
    from counter_app.services.common.views import DossierView
    from counter_app.ui.admin.calendar_panel import CalendarPanel
    from counter_app.ui.admin.catalogue_panel import CataloguePanel
    from counter_app.ui.admin.first_run_wizard import FirstRunWizard
    from counter_app.ui.admin.settings_dialog import SettingsDialog
    from counter_app.ui.code_scanners.serial import SerialScanner
    from counter_app.ui.code_scanners.wedge import ScannerFilter
    from counter_app.ui.documents.document_printing import DocumentPrinter
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

QUEUE_TABS = (
    ("today", "Hôm nay"),
    ("due_soon", "Sắp đến hạn"),
    ("overdue", "Quá hạn"),
    ("waiting", "Chờ bổ sung"),
    ("search", "Kết quả tìm"),
)
QUEUE_TITLES = dict(QUEUE_TABS)
QUEUE_PAGE_TITLE = "Danh sách hồ sơ"
LATE_PAGE_TITLE = "Hồ sơ cần xin lỗi"
QUEUE_REFRESH_MS = 5 * 60_000  # dossiers move into "due soon" and "overdue" as time passes


@dataclass(frozen=True)
class StatusInfo:
    configured: bool
    counter: int
    agency_name: str
    clerk: str
    database: str
    agency_code: str = ""
    may_settings: bool = True
    demo: bool = False


def _status_info(services: Any) -> StatusInfo:
    """Runs in a worker: what the status bar shows about this installation."""
    from counter_app.domain.roles import Permission
    from counter_app.services.installation.setup import DEMO_AGENCY_CODE

    settings = services.context.settings()
    return StatusInfo(
        configured=settings.is_configured,
        counter=settings.counter,
        agency_name=services.setup.agency_name(),
        clerk=_clerk_text(services, settings.clerk_name),
        database=services.context.database.path.name,
        agency_code=settings.agency_code,
        may_settings=services.context.may(Permission.SETTINGS),
        demo=settings.agency_code == DEMO_AGENCY_CODE,
    )


def _clerk_text(services: Any, clerk_name: str) -> str:
    accounts = getattr(services, "accounts", None)
    session = accounts.current() if accounts is not None else None
    return session.display if session is not None else clerk_name or services.context.clerk


class _SearchPages:
    """A search as pages: one query (at most 200 rows, services.dossiers.find), then sliced."""

    def __init__(self, find: Callable[[str], list[DossierView]], text: str) -> None:
        self._find = find
        self._text = text
        self._rows: list[DossierView] | None = None

    def __call__(self, offset: int, limit: int) -> Sequence[DossierView]:
        if self._rows is None:
            self._rows = list(self._find(self._text))
        return self._rows[offset : offset + limit]


class MainWindow(QMainWindow):
    sig_services_ready = Signal()
    """The services were handed over, the panels built and the first views asked for."""
    sig_dossier_opened = Signal(object)
    """A dossier screen is shown (new or brought to front): the DossierScreen."""
    sig_intake_opened = Signal(object)
    """The intake screen is shown: the IntakeScreen."""
    sig_scan_handled = Signal(str)
    """A scan was acted on: "dossier", "id_card" or "unknown"."""

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
        self._printer: DocumentPrinter | None = None
        self.services: Any = None
        self.intake: IntakeScreen | None = None
        self.dossier_tabs: dict[str, DossierScreen] = {}
        self._focus_results = False
        # the first-run wizard is offered once, on an installation not yet set up (never in tests' windows)
        self._offer_first_run = offer_first_run
        self._may_settings = True
        self._configured = True
        self.first_run: FirstRunWizard | None = None
        self.dossier_sync_labels: dict[str, QLabel] = {}
        # built when the services arrive: they show nothing before
        self.catalogue: CataloguePanel | None = None
        self.calendar: CalendarPanel | None = None
        self.late_panel: LatePanel | None = None
        self.dashboard: DashboardPanel | None = None
        self._queue = QUEUE_TABS[0][0]  # the queue the queue page shows: a key of QUEUE_TABS
        self._search_text = ""
        self._summary_offered = False

        self.rail = NavigationRail()
        self.rail.sig_place_chosen.connect(self.go_to)
        self.counter_label = self.rail.counter_label
        self.clerk_label = self.rail.clerk_label
        self._build_actions()
        self._build_queue()
        self._build_workspace()
        # three zones (desk-layout.md): the rail | the toolbar (search, refresh, sync) over the work area;
        # the message line below both
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.toolbar)
        column.addWidget(self.workspace.document_bar)
        column.addWidget(self.workspace, 1)
        central = QWidget()
        zones = QHBoxLayout(central)
        zones.setContentsMargins(0, 0, 0, 0)
        zones.setSpacing(0)
        zones.addWidget(self.rail)
        zones.addLayout(column, 1)
        self.setCentralWidget(central)
        self._build_status_bar()

        if scanner is not None:
            self.connect_scanner(scanner)
        self._queue_timer = QTimer(self, interval=QUEUE_REFRESH_MS)
        self._queue_timer.timeout.connect(self.refresh_queue)
        self._clock_timer = QTimer(self, interval=60_000)
        self._clock_timer.timeout.connect(self._show_date)
        self._set_ready(False)

    def connect_scanner(self, scanner: ScannerFilter) -> None:
        """Scans anywhere in the application open dossiers or fill the intake form (handle_scan)."""
        scanner.sig_scanned.connect(self.handle_scan)

    # building
    def _build_actions(self) -> None:
        self.intake_action = QAction("Tiếp nhận mới", self)
        self.intake_action.setToolTip("Mở màn hình tiếp nhận hồ sơ (F2)")
        self.intake_action.triggered.connect(self.open_intake)
        self.search_action = QAction("Tìm", self)
        self.search_action.setToolTip("Tìm theo mã hồ sơ, tên, số định danh, số điện thoại (F3)")
        self.search_action.triggered.connect(self.focus_search)
        self.refresh_action = QAction("Làm mới", self)
        self.refresh_action.setToolTip("Tải lại danh sách hồ sơ (F5)")
        self.refresh_action.triggered.connect(self.refresh_queue)
        self.settings_action = QAction("Thiết lập", self)
        self.settings_action.setToolTip("Thông tin cơ quan, giờ làm việc, máy in, máy chủ trung tâm")
        self.settings_action.triggered.connect(self.open_settings)
        self.sync_panel = SyncPanel(self._runner)
        self.sync_panel.sig_sync_done.connect(self._on_sync_done)
        for action, key in ((self.intake_action, "F2"), (self.search_action, "F3"), (self.refresh_action, "F5")):
            action.setIconText(f"{action.text()} ({key})")
        self.search_edit = QLineEdit(
            placeholderText="Tìm: mã hồ sơ, họ tên (không dấu cũng được), số định danh, điện thoại (F3)"
        )
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(260)
        # the top of the work area, not a movable window toolbar: search, refresh and sync, beside the rail's head
        self.toolbar = QToolBar("Thao tác")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)  # the actions have no icons: their buttons show their text
        self.toolbar.addWidget(self.search_edit)
        self.toolbar.addAction(self.refresh_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.sync_panel.action)
        for action in (self.intake_action, self.search_action, self.refresh_action, self.settings_action):
            self.addAction(action)

    def _build_queue(self) -> None:
        self.queue_title = QLabel("Đang mở cơ sở dữ liệu…")
        self.queue_title.setObjectName("sectionTitle")
        self.model = DossierTableModel(self._runner, self)  # given to the table with the services
        self.table = QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.queue_hint = QLabel("Enter hoặc nhấp đúp: mở hồ sơ · quét mã vạch hồ sơ ở bất cứ đâu để mở")
        self.queue_hint.setObjectName("hint")
        self.queue_hint.setWordWrap(True)
        # at start, one summary over the queue instead of boxes (desk-layout.md): shown with the services
        self.startup_summary = StartupSummary()
        self.startup_summary.setVisible(False)
        self.startup_summary.sig_open_late.connect(lambda: self.go_to("late"))
        self.sync_panel.sig_status_shown.connect(self._show_unsynced)
        # the queue page: the queue chosen on the rail, or the results of a search
        self.queue_panel = QWidget()
        layout = QVBoxLayout(self.queue_panel)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.startup_summary)
        layout.addWidget(self.queue_title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.queue_hint)
        self._search_debounce = QTimer(self, singleShot=True, interval=400)
        self._search_debounce.timeout.connect(self._live_search)
        self.search_edit.textEdited.connect(lambda _text: self._search_debounce.start())
        self.search_edit.returnPressed.connect(self._search_from_enter)
        self.table.activated.connect(self._on_row_activated)
        self.model.sig_page_loaded.connect(self._on_page_loaded)
        self.model.sig_load_failed.connect(self._on_load_failed)

    def _attach_queue_model(self) -> None:
        """The table shows the model from when the services arrive; until then it is an empty frame.

        A Python item model makes the first paint build the Qt namespace's hundred enums (about 25 ms, a sixth of
        a bare window's start), which the frame can be shown without.
        """
        if self.table.model() is self.model:
            return
        self.table.setModel(self.model)
        metrics = self.table.fontMetrics()
        widths = (
            metrics.horizontalAdvance("000.00.00.H00-000000-0000") + 16,
            metrics.horizontalAdvance("Nguyễn Thị Minh Khai") + 12,
            metrics.horizontalAdvance("00/00/0000 00:00") + 16,
            metrics.horizontalAdvance("Sắp đến hạn · Đang xử lý tại cơ quan") + 12,
            metrics.horizontalAdvance("Đăng ký khai sinh") + 12,
        )
        for column, width in enumerate(widths):
            self.table.setColumnWidth(column, width)

    def _on_load_failed(self, exc: object) -> None:
        from counter_app.ui.widgets.errors import show_error

        show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    def _build_workspace(self) -> None:
        self.workspace = WorkArea()
        self.workspace.add_page(self.queue_panel, QUEUE_PAGE_TITLE)
        self.workspace.tabCloseRequested.connect(self._close_tab)
        self.workspace.currentChanged.connect(self._on_workspace_tab)

    def _fixed_pages(self) -> tuple[QWidget | None, ...]:
        return (self.queue_panel, self.late_panel, self.catalogue, self.calendar, self.dashboard)

    def _complete_window(self) -> None:
        """After the services arrived: the late-case, catalogue, calendar and statistics pages, built once, then
        given the services; sig_services_ready.

        The first paint of the window shows the frame without them (their modules import the domain and the
        services' view objects) and they are built after the work queue's first page was asked for.
        """
        services = self.services
        if services is None:
            return
        if self.catalogue is None or self.calendar is None:
            from counter_app.ui.admin.calendar_panel import CalendarPanel
            from counter_app.ui.admin.catalogue_panel import CataloguePanel

            if self.late_panel is None:
                from counter_app.ui.dossier.late_panel import LatePanel

                # a place of its own; the rail shows how many need an apology, as a red badge
                self.late_panel = LatePanel(self._runner, self)
                self.late_panel.sig_counts.connect(self._show_late_counts)
                self.late_panel.sig_counts.connect(self.startup_summary.set_late)
                self.late_panel.sig_document_ready.connect(self._on_document)
                self.late_panel.sig_changed.connect(self.refresh_queue)
                self.workspace.add_page(self.late_panel, LATE_PAGE_TITLE)
            self.catalogue = CataloguePanel(self._runner)
            self.calendar = CalendarPanel(self._runner)
            self.workspace.add_page(self.catalogue, "Danh mục thủ tục")
            self.workspace.add_page(self.calendar, "Lịch làm việc")
        if self.dashboard is None:
            from counter_app.ui.reports.dashboard import DashboardPanel

            # figures and charts of the reports, with the report export; refreshed when shown and after changes
            self.dashboard = DashboardPanel(None, self._runner)
            self.workspace.add_page(self.dashboard, "Thống kê")
        assert self.late_panel is not None
        self.catalogue.set_services(services)
        self.calendar.set_services(services)
        self.late_panel.set_services(services)
        if self._dashboard_shown():
            self.dashboard.set_services(services)
        else:
            self.dashboard.forget_figures(services)
        emit(self.sig_services_ready)

    def _dashboard_shown(self) -> bool:
        return self.dashboard is not None and self.workspace.currentWidget() is self.dashboard

    def _on_workspace_tab(self, _index: int) -> None:
        if self._dashboard_shown():
            assert self.dashboard is not None
            self.dashboard.refresh()
        self.rail.set_current(self._place_shown())

    def _place_shown(self) -> str | None:
        """The rail's place of the page in view (None for search results)."""
        current = self.workspace.currentWidget()
        if current is None:
            return None
        if current is self.queue_panel:
            return None if self._queue == "search" else self._queue
        if self.workspace.is_document(current):
            return "dossiers"
        places: tuple[tuple[QWidget | None, str], ...] = (
            (self.intake, "intake"),
            (self.late_panel, "late"),
            (self.catalogue, "catalogue"),
            (self.calendar, "calendar"),
            (self.dashboard, "statistics"),
        )
        return next((key for widget, key in places if widget is current), None)

    def go_to(self, place: str) -> None:
        """Show a place of the rail (its key: see rail.PLACES)."""
        if self.services is None:
            return
        pages: dict[str, QWidget | None] = {
            "late": self.late_panel,
            "catalogue": self.catalogue,
            "calendar": self.calendar,
            "statistics": self.dashboard,
        }
        if place == "intake":
            self.open_intake()
        elif place == "settings":
            self.open_settings()
        elif place in QUEUE_TITLES:
            self.show_queue(place)
        elif place == "dossiers":
            documents = self.workspace.documents()
            if documents:
                self.workspace.setCurrentWidget(documents[self.workspace.document_bar.currentIndex()])
        elif (page := pages.get(place)) is not None:
            self.workspace.setCurrentWidget(page)
        self.rail.set_current(self._place_shown())

    def _show_late_counts(self, need: int, overdue: int) -> None:
        self.rail.set_count("late", need, badge=True)
        self.rail.buttons["late"].setToolTip(
            f"{need} hồ sơ cần lập phiếu xin lỗi và hẹn lại (sắp đến hạn hoặc quá hạn), "
            f"trong đó {overdue} hồ sơ đã quá hạn (Ctrl+5)"
        )

    def _show_unsynced(self) -> None:
        status = self.sync_panel.last_status
        if status is not None:
            self.startup_summary.set_unsynced(status.pending)

    def connect_maintenance(self, maintenance: MaintenanceWatcher) -> None:
        """The automatic backup's state goes to the start-up summary; a backup that cannot run, once, to the
        message line too (for the administrator), never to a box."""
        maintenance.sig_backup_done.connect(self.startup_summary.set_backup_done)
        maintenance.sig_backup_failed.connect(self.startup_summary.set_backup_failed)
        maintenance.sig_backup_problem.connect(lambda text: self.show_message(f"Sao lưu tự động: {text}"))

    def _build_status_bar(self) -> None:
        self.date_label = ElidedLabel()
        self.db_label = ElidedLabel("CSDL cục bộ: đang mở…")
        self.message_line = MessageLine()
        self.setStatusBar(self.message_line)
        for field in (self.sync_panel, self.date_label, self.db_label):
            self.message_line.add_field(field)

    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        """What just happened, on the message line (whole, wrapped if need be); it does not take the focus."""
        self.message_line.showMessage(text, timeout_ms)

    def _set_ready(self, ready: bool) -> None:
        for action in (self.intake_action, self.search_action, self.refresh_action):
            action.setEnabled(ready)
        self.search_edit.setEnabled(ready)
        self.settings_action.setEnabled(ready and self._may_settings)
        self.rail.set_enabled_places(ready)
        self.rail.buttons["settings"].setEnabled(ready and self._may_settings)

    # services
    def set_services(self, services: Any) -> None:
        """The services arrived: the work queue's first page is asked for first; the panels are built in the next
        turn of the event loop (_complete_window), while a worker reads that page."""
        self.services = services
        self.db_label.setText(f"CSDL cục bộ: sẵn sàng ({services.context.database.path.name})")
        if self.intake_action.shortcut().isEmpty():  # set here: a shortcut builds the Qt namespace (see top)
            for action, key in ((self.intake_action, "F2"), (self.search_action, "F3"), (self.refresh_action, "F5")):
                action.setShortcut(QKeySequence(key))
            for place, key in PLACE_SHORTCUTS.items():
                shortcut = QAction(self.rail.buttons[place].place.title, self)
                shortcut.setShortcut(QKeySequence(key))
                shortcut.triggered.connect(lambda _checked=False, p=place: self.go_to(p))
                self.addAction(shortcut)
        self._set_ready(True)
        if not self._summary_offered:
            self._summary_offered = True
            self.startup_summary.setVisible(True)
        self._show_date()
        self._clock_timer.start()
        self._queue_timer.start()
        self._attach_queue_model()
        self.show_queue(self._queue)
        self.refresh_counts()
        self._runner.run_pooled(_status_info, services, on_done=self._show_status)
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
            self._runner.run_pooled(_status_info, self.services, on_done=self._show_status)
            self.sync_panel.refresh()
        for screen in self.dossier_tabs.values():
            screen.reload()

    def on_services_failed(self, exc: object) -> None:
        from counter_app.ui.widgets.errors import show_error

        self.db_label.setText("CSDL cục bộ: lỗi khi mở")
        show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    def _show_status(self, info: StatusInfo) -> None:
        self._may_settings = info.may_settings
        self._configured = info.configured
        self.settings_action.setEnabled(self.search_edit.isEnabled() and info.may_settings)
        self.rail.buttons["settings"].setEnabled(self.search_edit.isEnabled() and info.may_settings)
        if not info.configured and not info.demo and self._offer_first_run:
            self._offer_first_run = False
            self.open_first_run()
        if info.configured:
            self.counter_label.setText(f"Quầy {info.counter} – {info.agency_name}")
        else:
            self.counter_label.setText("Quầy chưa được thiết lập (bấm “Thiết lập”)")
        self.clerk_label.setText(f"Cán bộ: {info.clerk or '—'}")

    def open_first_run(self) -> FirstRunWizard | None:
        """The first-run wizard (window-modal); when finished, the window works as the new counter."""
        if self.services is None:
            return None
        from PySide6.QtCore import Qt

        from counter_app.ui.admin.first_run_wizard import FirstRunWizard

        self.first_run = FirstRunWizard(self.services, self._runner, self)
        self.first_run.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.first_run.sig_configured.connect(self._on_configured)
        self.first_run.finished.connect(self._forget_first_run)
        self.first_run.open()
        return self.first_run

    def _forget_first_run(self, _result: int) -> None:
        self.first_run = None

    def open_settings(self) -> SettingsDialog | FirstRunWizard | None:
        """The settings; on an installation not yet set up, the first-run wizard instead."""
        if self.services is None:
            return None
        if not self._configured:
            return self.first_run or self.open_first_run()
        from PySide6.QtCore import Qt

        from counter_app.ui.admin.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.services, self._runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_saved.connect(self._on_configured)
        dialog.open()
        return dialog

    def _on_configured(self, _settings: object) -> None:
        if self.services is not None:
            self._runner.run_pooled(_status_info, self.services, on_done=self._show_status)
            self.refresh_queue()
            self.sync_panel.refresh()

    def _on_sync_done(self, _complete: bool, _outcome: object) -> None:
        self.refresh_queue()
        for key, label in self.dossier_sync_labels.items():
            self.sync_panel.show_dossier_state(label, key)

    def _show_date(self) -> None:
        if self.services is not None:
            from counter_app.ui.widgets.formatting import vn_date

            self.date_label.setText(f"Hôm nay: {vn_date(self.services.context.clock.now())}")

    # queue
    def queue_key(self) -> str:
        """The queue the queue page shows: a key of QUEUE_TABS ("search" for the results of a search)."""
        return self._queue

    def show_queue(self, key: str) -> None:
        """The queue page with one queue (a key of QUEUE_TABS), read again from the first page."""
        self._queue = key
        if self.services is None:
            return
        self._show_queue_title()
        self.workspace.setCurrentWidget(self.queue_panel)
        self.rail.set_current(self._place_shown())
        queue = self.services.queue
        sources: dict[str, Callable[[int, int], Sequence[DossierView]]] = {
            "today": queue.list_today,
            "due_soon": queue.list_due_soon,
            "overdue": queue.list_overdue,
            "waiting": queue.list_waiting_supplement,
        }
        if key == "search":
            text = self._search_text
            fetch: Callable[[int, int], Sequence[DossierView]] | None = (
                _SearchPages(self.services.dossiers.find, text) if text else None
            )
        else:
            fetch = sources[key]
        self.model.set_source(fetch, queue.lateness_of)

    def _show_queue_title(self) -> None:
        if self._queue == "search":
            self.queue_title.setText(f"Kết quả tìm “{self._search_text}”")
        else:
            count = self.rail.buttons[self._queue].count()
            suffix = "" if count is None else f" — {count} hồ sơ"
            self.queue_title.setText(f"{QUEUE_TITLES[self._queue]}{suffix}")

    def run_search(self) -> None:
        text = self.search_edit.text().strip()
        if not text or self.services is None:
            return
        self._search_text = text
        self.show_queue("search")

    def _live_search(self) -> None:
        if len(self.search_edit.text().strip()) >= 2:
            self.run_search()

    def _search_from_enter(self) -> None:
        self._search_debounce.stop()
        self._focus_results = True
        self.run_search()

    def _on_page_loaded(self, _added: int) -> None:
        if self._focus_results and self.model.rowCount():
            self._focus_results = False
            self.table.selectRow(0)
            self.table.setFocus()

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def refresh_queue(self) -> None:
        if self.services is not None:
            self.model.refresh()
            self.refresh_counts()
            if self._dashboard_shown():  # after an intake, a hand-over, a sync: the figures in view follow
                assert self.dashboard is not None
                self.dashboard.refresh()

    def refresh_counts(self) -> None:
        if self.services is not None:
            self._runner.run_pooled(self.services.queue.counts, on_done=self._show_counts)

    def _show_counts(self, counts: Any) -> None:
        values = (counts.today, counts.due_soon, counts.overdue, counts.waiting_supplement)
        for (key, _title), value in zip(QUEUE_TABS, values, strict=False):
            self.rail.set_count(key, value, alert=key == "overdue" and value > 0)
        self._show_queue_title()

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_dossier(self.model.dossier_at(index.row()).uuid)

    # screens
    def open_intake(self) -> IntakeScreen | None:
        if self.services is None:
            return None
        if self.intake is None:
            from counter_app.ui.intake.intake_screen import IntakeScreen

            self.intake = IntakeScreen(self.services, self._runner)
            self.intake.sig_outcome.connect(self._on_intake_outcome)
            self.intake.sig_open_dossier.connect(self.open_dossier)
            self.intake.sig_document_ready.connect(self._on_document)
            self.workspace.insertTab(0, self.intake, "Tiếp nhận mới")
        self.workspace.setCurrentWidget(self.intake)
        self.intake.new_intake()  # after an outcome, an empty form; one being filled is kept
        emit(self.sig_intake_opened, self.intake)
        return self.intake

    def _on_intake_outcome(self, result: object) -> None:
        texts = {
            "accept": "Đã tiếp nhận hồ sơ {key}.",
            "supplement": "Đã lập phiếu yêu cầu bổ sung {key}.",
            "refuse": "Đã lập phiếu từ chối tiếp nhận {key}.",
        }
        key = getattr(result, "code", None) or getattr(result, "slip", None)
        text = texts.get(str(getattr(result, "outcome", "")))
        if key and text:
            self.show_message(text.format(key=key))
        self.refresh_queue()

    def open_dossier(self, key: str) -> None:
        """By code, slip number or UUID; looked up off the UI thread, then shown in its own tab."""
        if self.services is not None:
            self._runner.run_pooled(self.services.dossiers.get_dossier, key, on_done=self._show_dossier)

    def _show_dossier(self, view: DossierView) -> None:
        screen = self.dossier_tabs.get(view.uuid)
        if screen is None:
            from counter_app.ui.dossier.dossier_screen import DossierScreen

            screen = DossierScreen(self.services, self._runner, view.uuid)
            screen.sig_changed.connect(self._on_dossier_changed)
            screen.sig_document_ready.connect(self._on_document)
            self.dossier_tabs[view.uuid] = screen
            self.workspace.add_page(screen, f"Hồ sơ {view.code or view.slip or ''}", closable=True)
            label = QLabel()
            label.setObjectName("dossierSyncState")
            screen.add_header_widget(label)
            self.dossier_sync_labels[view.uuid] = label
            self._show_open_dossiers()
        self.sync_panel.show_dossier_state(self.dossier_sync_labels[view.uuid], view.uuid)
        self.workspace.setCurrentWidget(screen)
        emit(self.sig_dossier_opened, screen)

    def _on_dossier_changed(self, _view: object) -> None:
        self.refresh_queue()

    def _show_open_dossiers(self) -> None:
        count = len(self.dossier_tabs)
        self.rail.set_count("dossiers", count)
        self.rail.buttons["dossiers"].setVisible(count > 0)

    def _close_tab(self, index: int) -> None:
        widget = self.workspace.widget(index)
        if widget is None or any(widget is fixed for fixed in self._fixed_pages()):
            return
        if self.intake is not None and widget is self.intake:
            self.intake.flush_draft()
            self.intake = None
        elif any(widget is screen for screen in self.dossier_tabs.values()):
            self.dossier_tabs = {k: s for k, s in self.dossier_tabs.items() if s is not widget}
            self.dossier_sync_labels = {k: v for k, v in self.dossier_sync_labels.items() if k in self.dossier_tabs}
        self.workspace.removeTab(index)
        widget.deleteLater()
        self._show_open_dossiers()

    def close_intake(self) -> None:
        if self.intake is not None:
            self._close_tab(self.workspace.indexOf(self.intake))

    def _on_document(self, document: Any) -> None:
        path = getattr(document, "path", None)
        self.show_message(f"Đã tạo giấy tờ: {path}", 10_000)
        if self._open_documents and path is not None and self.services is not None:
            # preview, then print on the printer remembered for this kind of document (QtPdf: loaded here)
            from PySide6.QtCore import Qt

            from counter_app.ui.documents.document_printing import DocumentPrinter, PrintPreview

            if self._printer is None:
                self._printer = DocumentPrinter(self.services, self._runner, self)
            preview = PrintPreview(document, self._printer, self)
            preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            preview.open()

    # scanning
    def connect_serial_scanner(self, scanner: SerialScanner) -> None:
        """Codes read from a scanner set to USB-COM act like keyboard scans, their Vietnamese letters intact."""
        scanner.sig_scanned.connect(self.handle_serial_scan)
        scanner.sig_connected.connect(self._show_serial_state)

    def handle_serial_scan(self, text: str) -> None:
        self.handle_scan(text, keyboard=False)

    def _show_serial_state(self, connected: bool) -> None:
        if connected:
            self.show_message("Máy quét mã (cổng COM) đã sẵn sàng.", 5000)
        else:
            self.show_message("Không đọc được máy quét mã qua cổng COM: kiểm tra dây cắm; sẽ tự kết nối lại.", 10_000)

    def handle_scan(self, text: str, *, keyboard: bool = True) -> None:
        """A dossier code (or slip number) opens the dossier; an ID-card QR fills the intake form.

        `keyboard`: read by the keyboard wedge (by default), whose letters may have lost their marks."""
        if self.services is None:
            return
        from counter_app.domain.citizen import looks_like_id_card_qr
        from counter_app.domain.codes import looks_like_dossier_code

        scanned = text.strip()
        if looks_like_id_card_qr(scanned):
            intake = self.open_intake()
            if intake is not None and intake.apply_scan(scanned, keyboard=keyboard):
                self.show_message("Đã điền thông tin từ thẻ căn cước.", 5000)
            emit(self.sig_scan_handled, "id_card")
        elif looks_like_dossier_code(scanned) or _is_slip_number(scanned):
            self.open_dossier(scanned.upper())
            emit(self.sig_scan_handled, "dossier")
        else:
            self.show_message("Mã vừa quét không phải mã hồ sơ hay mã QR thẻ căn cước.", 8000)
            emit(self.sig_scan_handled, "unknown")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.intake is not None:
            self.intake.flush_draft()
        self.sync_panel.cancel()  # a running sync stops at its next batch instead of holding the exit
        super().closeEvent(event)


def _is_slip_number(text: str) -> bool:
    from counter_app.domain.codes import DocumentNumber
    from counter_app.errors import ValidationError

    try:
        DocumentNumber.parse_slip(text)
    except ValidationError:
        return False
    return True
