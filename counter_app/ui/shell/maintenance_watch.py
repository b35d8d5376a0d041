"""After the window is shown: the database's quick check (with the way to recover) and the daily backup, hourly.

Nothing here opens a box (issue 16.8: a calm start). A damaged database (nothing may be written until it is
recovered) and a backup that cannot run are told through signals; the window shows them in its start-up summary
(a damaged database as a red row that cannot be hidden, with the recovery steps) and on its message line.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.startup_summary import backup_problem_text

if TYPE_CHECKING:
    from counter_app.services.maintenance.backups import BackupResult
    from counter_app.services.maintenance.integrity import RecoveryPlan
    from counter_app.services.registry import Services

log = logging.getLogger(__name__)

BACKUP_CHECK_MS = 60 * 60_000


class MaintenanceWatcher(QObject):
    """Runs off the UI thread; tells the window when the database is damaged (sig_checked), and once when backups
    fail (sig_backup_problem), for the summary and the message line.

    Wiring (app.py, once the services are handed to the window):
        watcher = MaintenanceWatcher(window, runner); watcher.start(services)
    """

    sig_checked = Signal(object)
    """The quick check is done: the RecoveryPlan when the database is damaged (the start-up summary's red row and
    the message line show it), else None."""
    sig_backup_done = Signal(object)
    """An automatic backup ran: its BackupResult, or None when one of today already existed."""
    sig_backup_failed = Signal(object)
    """An automatic backup failed: the exception."""
    sig_backup_problem = Signal(str)
    """Once per session, at the first failed automatic backup: what the clerk and the administrator read."""
    sig_backup_warning = Signal(str)
    """An automatic backup was written but something needs the administrator (the second destination missed it)."""

    def __init__(self, parent: QWidget, runner: TaskRunner, *, interval_ms: int = BACKUP_CHECK_MS) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Services | None = None
        self._damaged = False
        self._backup_running = False
        self.backup_problem: str | None = None
        self.damage: RecoveryPlan | None = None
        """The recovery plan when the quick check found the database damaged."""
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.backup_if_due)

    def start(self, services: Services) -> None:
        self._services = services
        self._runner.run_pooled(
            services.integrity.recovery_plan, on_done=self._on_checked, on_error=self._on_check_error
        )

    def _on_checked(self, plan: RecoveryPlan | None) -> None:
        emit(self.sig_checked, plan)
        if plan is None:
            self.backup_if_due()
            self._timer.start()
            return
        # a backup of a damaged file would be refused anyway; the good backups must stay as they are
        self._damaged = True
        self.damage = plan

    def _on_check_error(self, exc: object) -> None:
        log.error("quick check could not run: %s", type(exc).__name__)
        self._timer.start()

    def backup_if_due(self) -> None:
        if self._services is None or self._damaged or self._backup_running:
            return
        self._backup_running = True
        now = self._services.clock.now()
        self._runner.run_pooled(
            self._services.backup.backup_if_due, now, on_done=self._on_backup, on_error=self._on_backup_error
        )

    def _on_backup(self, result: BackupResult | None) -> None:
        self._backup_running = False
        emit(self.sig_backup_done, result)
        for warning in result.warnings if result is not None else ():
            emit(self.sig_backup_warning, warning)

    def _on_backup_error(self, exc: object) -> None:
        self._backup_running = False
        log.warning("automatic backup failed: %s", type(exc).__name__)
        emit(self.sig_backup_failed, exc)
        if self.backup_problem is not None:
            return  # said once per session: the clerk is not nagged every hour
        self.backup_problem = backup_problem_text(exc)
        emit(self.sig_backup_problem, self.backup_problem)
