"""FixedPages: the work area's pages built once the services arrive (late cases, catalogue, calendar,
statistics), the rail's places they stand for, and whether each reads again after a change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.work_area import WorkArea

if TYPE_CHECKING:
    from counter_app.services.common.changes import Changes
    from counter_app.services.registry import Services
    from counter_app.ui.admin.accounts_panel import AccountsPanel
    from counter_app.ui.admin.audit_trail_panel import AuditTrailPanel
    from counter_app.ui.admin.backups_panel import BackupsPanel
    from counter_app.ui.admin.calendar_panel import CalendarPanel
    from counter_app.ui.admin.catalogue_panel import CataloguePanel
    from counter_app.ui.dossier.late_panel import LatePanel
    from counter_app.ui.reports.dashboard import DashboardPanel

LATE_PAGE_TITLE = "Hồ sơ cần xin lỗi"


class FixedPages(QObject):
    """Built after the window's first paint (their modules import the domain and the services' view objects)."""

    sig_late_counts = Signal(int, int)
    """The late panel's evaluation: dossiers needing an apology, of those overdue."""
    sig_document_ready = Signal(object)
    """The late panel rendered an apology letter: the DocumentResult."""
    sig_changed = Signal(object, object)
    """The late panel recorded an apology: the Changes, and the panel (already fresh)."""

    def __init__(self, runner: TaskRunner, workspace: WorkArea, parent: QWidget) -> None:
        super().__init__(parent)
        self._runner = runner
        self._workspace = workspace
        self._parent = parent
        self.late_panel: LatePanel | None = None
        self.catalogue: CataloguePanel | None = None
        self.calendar: CalendarPanel | None = None
        self.dashboard: DashboardPanel | None = None
        self.backups: BackupsPanel | None = None  # an administrator's place (the rail hides it from the others)
        # an administrator's, and a supervisor's or administrator's (Navigator.follow_role hides them from others)
        self.accounts: AccountsPanel | None = None
        self.audit_trail: AuditTrailPanel | None = None

    def pages(self) -> tuple[QWidget | None, ...]:
        return (self.late_panel, self.catalogue, self.calendar, self.dashboard, self.backups, *self._admin_pages())

    def _admin_pages(self) -> tuple[QWidget | None, ...]:
        return (self.accounts, self.audit_trail)

    def set_services(self, services: Services) -> None:
        """The pages, built on the first call, given the services."""
        if self.late_panel is None:
            from counter_app.ui.dossier.late_panel import LatePanel

            # a place of its own; the rail shows how many need an apology, as a red badge
            self.late_panel = LatePanel(self._runner, self._parent)
            self.late_panel.sig_counts.connect(self._on_late_counts)
            self.late_panel.sig_document_ready.connect(self._on_document)
            self.late_panel.sig_changed.connect(self._on_late_changed)
            self._workspace.add_page(self.late_panel, LATE_PAGE_TITLE)
        if self.catalogue is None or self.calendar is None:
            from counter_app.ui.admin.calendar_panel import CalendarPanel
            from counter_app.ui.admin.catalogue_panel import CataloguePanel

            self.catalogue = CataloguePanel(self._runner)
            self.calendar = CalendarPanel(self._runner)
            self._workspace.add_page(self.catalogue, "Danh mục thủ tục")
            self._workspace.add_page(self.calendar, "Lịch làm việc")
        if self.dashboard is None:
            from counter_app.ui.reports.dashboard import DashboardPanel

            # figures and charts of the reports, with the report export; refreshed when shown and after changes
            self.dashboard = DashboardPanel(None, self._runner)
            self._workspace.add_page(self.dashboard, "Thống kê")
        if self.backups is None:
            from counter_app.ui.admin.backups_panel import BackupsPanel

            self.backups = BackupsPanel(self._runner)
            self._workspace.add_page(self.backups, "Sao lưu dữ liệu")
        self.backups.set_services(services)
        if self.accounts is None or self.audit_trail is None:
            from counter_app.ui.admin.accounts_panel import AccountsPanel
            from counter_app.ui.admin.audit_trail_panel import AuditTrailPanel

            self.accounts, self.audit_trail = AccountsPanel(self._runner), AuditTrailPanel(self._runner)
            self._workspace.add_page(self.accounts, "Tài khoản")
            self._workspace.add_page(self.audit_trail, "Nhật ký thao tác")
        self.accounts.set_services(services)  # each reads when shown (on_shown)
        self.audit_trail.set_services(services)
        self.catalogue.set_services(services)
        self.calendar.set_services(services)
        self.late_panel.set_services(services)
        if self.dashboard_shown():
            self.dashboard.set_services(services)
        else:
            self.dashboard.forget_figures(services)

    def dashboard_shown(self) -> bool:
        return self.dashboard is not None and self._workspace.currentWidget() is self.dashboard

    def page_of(self, place: str) -> QWidget | None:
        """The page of a rail's place, if it is one of these."""
        pages: dict[str, QWidget | None] = {
            "late": self.late_panel,
            "catalogue": self.catalogue,
            "calendar": self.calendar,
            "statistics": self.dashboard,
            "backups": self.backups,
            "accounts": self.accounts,
            "audit": self.audit_trail,
        }
        return pages.get(place)

    def place_of(self, widget: QWidget) -> str | None:
        places: tuple[tuple[QWidget | None, str], ...] = (
            (self.late_panel, "late"),
            (self.catalogue, "catalogue"),
            (self.calendar, "calendar"),
            (self.dashboard, "statistics"),
            (self.backups, "backups"),
            (self.accounts, "accounts"),
            (self.audit_trail, "audit"),
        )
        return next((key for page, key in places if page is not None and page is widget), None)

    def on_shown(self) -> None:
        """Another page came to the front: the statistics read again when they are the one."""
        if self.dashboard is not None and self.dashboard_shown():
            self.dashboard.refresh()
        current = self._workspace.currentWidget()
        for page in (self.accounts, self.audit_trail):
            if page is not None and page is current:
                page.refresh()  # the accounts, the trail: read again each time they come to the front

    def on_changes(self, changes: Changes, initiator: object = None) -> None:
        if self.late_panel is not None:
            self.late_panel.on_changes(changes, initiator)
        touched = changes.queue or changes.dossiers or changes.any_dossier
        if touched and self.dashboard is not None and self.dashboard_shown():
            self.dashboard.refresh()  # after an intake, a hand-over, a sync: the figures in view follow

    def _on_late_counts(self, need: int, overdue: int) -> None:
        emit(self.sig_late_counts, need, overdue)

    def _on_document(self, document: object) -> None:
        emit(self.sig_document_ready, document)

    def _on_late_changed(self, changes: Changes) -> None:
        emit(self.sig_changed, changes, self.late_panel)
