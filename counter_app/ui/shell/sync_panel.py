"""SyncPanel: "sync now" with progress and cancel, the automatic sync, and the last sync in the status bar."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from counter_app.errors import CounterError
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.message_line import ElidedLabel

if TYPE_CHECKING:
    from counter_app.domain.event_delivery import DossierDelivery
    from counter_app.services.registry import Services
    from counter_app.services.syncing.sync_runs import DossierSyncState
    from counter_app.services.syncing.sync_status import SyncReport, SyncStatus

log = logging.getLogger(__name__)

AUTO_SYNC_MS = 5 * 60_000


def dossier_state_look(state: DossierDelivery) -> tuple[str, str]:
    """The text and colour of a dossier's delivery state. The domain is imported here, at the first dossier shown,
    not with the window (tests/ui/test_startup.py: the empty window imports no domain module)."""
    from counter_app.domain.event_delivery import DossierDelivery

    texts = {
        DossierDelivery.SYNCED: ("đã đồng bộ", "#1b5e20"),
        DossierDelivery.PENDING: ("chưa đồng bộ", "#8a6d00"),
        DossierDelivery.FAILED: ("lỗi", "#b00020"),
    }
    return texts.get(state, (str(state), "#000"))


class SyncPanel(QWidget):
    """Lives on the window's message line (a field that shortens first); `action` is the toolbar's "Đồng bộ ngay"."""

    sig_sync_done = Signal(bool, object)
    """A sync ended: whether it completed, and the SyncReport or the exception."""
    sig_status_shown = Signal()
    """The status text was refreshed."""
    _sig_progress = Signal(int, int)  # emitted from the worker; queued to the UI thread

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.services: Services | None = None
        self._cancel: threading.Event | None = None
        self._manual = False
        self._central_set = False
        self.last_status: SyncStatus | None = None  # the last one read (the start-up summary's unsent count)
        self._may_sync = True
        self._hold_sync_started = False  # the sync a restored database needs goes once by itself
        self.action = QAction("Đồng bộ ngay", self)
        self.action.setToolTip("Gửi các thay đổi của quầy lên máy chủ trung tâm và nhận thay đổi của các quầy khác")
        self.action.setEnabled(False)
        self.action.triggered.connect(self.sync_now)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Hủy")
        self.cancel_button.setToolTip("Dừng đồng bộ; phần còn lại sẽ được đồng bộ lần sau")
        self.cancel_button.clicked.connect(self.cancel)
        self.status_label = ElidedLabel("Đồng bộ lần cuối: —")  # shortens before a message on the line is cut
        self.pending_label = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.status_label, self.pending_label, self.progress, self.cancel_button):
            layout.addWidget(widget)
        self.progress.hide()
        self.cancel_button.hide()
        self._sig_progress.connect(self._on_progress)
        self.timer = QTimer(self, interval=AUTO_SYNC_MS)
        self.timer.timeout.connect(self.auto_sync)

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def set_services(self, services: Services) -> None:
        self.services = services
        self._hold_sync_started = False
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        if self.services is not None:
            self._runner.run_pooled(
                self.services.sync_status.get_status, on_done=self._show_status, on_error=self._status_failed
            )

    def _show_status(self, status: SyncStatus) -> None:
        self.last_status = status
        self._central_set = status.central_set
        self._may_sync = status.may_sync
        self.status_label.setText(status.last_text)
        self.pending_label.setText(f"· Chưa gửi: {status.pending}")
        self.action.setEnabled(status.may_sync and not self.running)
        emit(self.sig_status_shown)
        if status.on_hold and not self._hold_sync_started:
            # restored from a backup: every action is refused until this sync has run, so it does not wait for
            # the five-minute timer (once: a refused sync is the administrator's to sort out)
            self._hold_sync_started = True
            self.auto_sync()

    def _status_failed(self, exc: object) -> None:
        log.warning("sync status unreadable: %s", type(exc).__name__)

    # syncing
    def sync_now(self) -> None:
        """The clerk's "Đồng bộ ngay": a refusal or an unreachable central is shown as a message."""
        self._start(manual=True)

    def auto_sync(self) -> None:
        """Every five minutes when a central is set; skipped while a sync runs; errors go to the status bar."""
        if self._central_set and self._may_sync and not self.running:
            self._start(manual=False)

    def _start(self, *, manual: bool) -> None:
        if self.services is None or self.running:
            return
        self._manual = manual
        self._cancel = threading.Event()
        self.action.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the first progress report gives the total
        self.progress.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.status_label.setText("Đang đồng bộ…")
        self._runner.run_pooled(
            self.services.sync.sync_now,
            self._report_progress,
            self._cancel,
            on_done=self._on_done,
            on_error=self._on_failed,
        )

    def _report_progress(self, done: int, total: int) -> None:
        emit(self._sig_progress, done, total)  # from the worker thread

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.status_label.setText("Đang dừng đồng bộ…")

    def _finish(self) -> None:
        self._cancel = None
        self.progress.hide()
        self.cancel_button.hide()
        self.action.setEnabled(self._may_sync)
        self.refresh()

    def _on_done(self, report: SyncReport) -> None:
        self._finish()
        complete = report.complete
        if not complete and self._manual and not report.cancelled:
            self._message(
                f"{report.failed} thay đổi không đồng bộ được (máy chủ trung tâm từ chối hoặc xung đột dữ liệu)."
            )
        emit(self.sig_sync_done, complete, report)

    def _on_failed(self, exc: object) -> None:
        from counter_app.ui.widgets.errors import show_error, user_message  # not at start-up (the Qt namespace)

        manual = self._manual
        self._finish()
        error = exc if isinstance(exc, BaseException) else CounterError(str(exc))
        if manual:
            show_error(self.window(), error)
        else:
            self._message(f"Đồng bộ tự động không thành công: {user_message(error)}")
        emit(self.sig_sync_done, False, error)

    def _message(self, text: str) -> None:
        window = self.window()
        status_bar = getattr(window, "statusBar", None)
        if status_bar is not None:
            status_bar().showMessage(text, 60_000)

    # a dossier's own state
    def show_dossier_state(self, label: QLabel, dossier_uuid: str) -> None:
        """Fill `label` (in a dossier screen's header) with whether the dossier's changes reached the central."""
        if self.services is None:
            return

        def shown(state: DossierSyncState) -> None:
            if not shiboken6.isValid(label):  # the dossier's tab was closed meanwhile
                return
            text, color = dossier_state_look(state.state)
            label.setText(f"Đồng bộ: {text}")
            label.setToolTip(state.error or state.label)
            label.setStyleSheet(f"color: {color};")

        self._runner.run_pooled(
            self.services.sync.dossier_sync_state, dossier_uuid, on_done=shown, on_error=self._status_failed
        )
