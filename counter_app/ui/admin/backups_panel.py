"""The "Sao lưu" place: the backup passphrase, the backups with their state, a backup now, and a restore.

An administrator's place (the rail hides it from the other roles, and the services refuse them anyway). Every
service call runs in a worker. A restore replaces the database the window has open: the restore runs on the
serial worker (no write of the window's runs beside it, the service closes the window's pooled connections and
refuses when another program holds the file), and then the application starts again over the restored file
instead of going on with screens read from the replaced one.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QProcess, Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.errors import CounterError
from counter_app.ui.admin.backup_dialogs import PassphraseDialog, RestoreDialog, RestoreNotice
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import show_error, user_message
from counter_app.ui.widgets.formatting import vn_moment

if TYPE_CHECKING:
    from counter_app.services.maintenance.backup_overview import BackupOverview, BackupRow
    from counter_app.services.maintenance.backup_restore import RestoreResult
    from counter_app.services.maintenance.backups import BackupResult
    from counter_app.services.registry import Services

log = logging.getLogger(__name__)

ADMIN_ONLY = "Chỉ quản trị viên được sao lưu và phục hồi dữ liệu."
COLUMNS = ("Thời điểm", "Dung lượng", "Mã hóa", "Bản sao thứ hai", "Khóa nhật ký")
KEY_MISSING = "Thiếu"


def restart_application() -> None:
    """Start the program again with the same arguments, then leave this one (its workers finish first)."""
    if getattr(sys, "frozen", False):
        program, arguments = sys.executable, sys.argv[1:]
    else:
        program, arguments = sys.executable, ["-m", "counter_app", *sys.argv[1:]]
    QProcess.startDetached(program, arguments)
    QApplication.quit()


def _message(exc: object) -> str:
    return user_message(exc) if isinstance(exc, BaseException) else str(exc)


def _size(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB" if size >= 1 << 20 else f"{max(1, size // 1024)} KB"


def _encryption(row: BackupRow) -> str:
    return "Mật khẩu sao lưu" if row.needs_passphrase else "Khóa trong kho khóa của máy"


def _second(row: BackupRow) -> str:
    if row.second_copy is None:
        return "Chưa đặt nơi thứ hai"
    return "Có" if row.second_copy else "Không có"


def _audit_key(row: BackupRow) -> str:
    # only the lack is said: an older version's backup does not tell whether its key is inside
    return KEY_MISSING if row.audit_key_missing else ""


class BackupsPanel(QWidget):
    sig_loaded = Signal(object)
    """The backups were read: the BackupOverview."""
    sig_passphrase_set = Signal()
    """The administrator set or changed the backup passphrase."""
    sig_backup_done = Signal(object)
    """A backup asked for here was written: its BackupResult (warnings included)."""
    sig_restored = Signal(object)
    """A backup replaced the database: the RestoreResult; the application starts again after the notice."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Services | None = None
        self.overview: BackupOverview | None = None
        self.restart: Callable[[], None] = restart_application  # tests put a recorder here
        self.passphrase_dialog: PassphraseDialog | None = None
        self.restore_dialog: RestoreDialog | None = None
        self.notice: QMessageBox | None = None
        self.status = QLabel("Đang đọc danh sách bản sao lưu…")
        self.status.setObjectName("backupStatus")
        self.status.setWordWrap(True)
        self.passphrase_button = QPushButton("Đặt mật khẩu sao lưu…")
        self.passphrase_button.clicked.connect(self.open_passphrase)
        self.backup_button = QPushButton("Sao lưu ngay")
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton("Phục hồi bản đã chọn…")
        self.restore_button.clicked.connect(self.open_restore)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(200)
        self.progress.hide()
        self.result = QLabel()
        self.result.setObjectName("backupResult")
        self.result.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setObjectName("backupWarning")
        self.warning.setStyleSheet("color: #b00020;")
        self.warning.setWordWrap(True)
        self.warning.hide()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        actions = QHBoxLayout()
        actions.addWidget(self.passphrase_button)
        actions.addWidget(self.backup_button)
        actions.addWidget(self.progress)
        actions.addStretch(1)
        actions.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        layout.addWidget(self.result)
        layout.addWidget(self.warning)
        layout.addWidget(self.table, 1)
        self._busy = False
        self._update_buttons()

    # -- reading ---------------------------------------------------------------------------------------

    def set_services(self, services: Services) -> None:
        self._services = services
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        if self._services is None:
            return
        self._runner.run_pooled(self._services.backup.overview, on_done=self._show, on_error=self._on_read_error)

    def _on_read_error(self, exc: object) -> None:
        self.status.setText(f"Không đọc được danh sách bản sao lưu: {_message(exc)}")

    def _show(self, overview: BackupOverview) -> None:
        self.overview = overview
        if overview.passphrase_problem:
            key = overview.passphrase_problem
        elif overview.passphrase_set:
            key = "Đã đặt mật khẩu sao lưu: mọi bản sao lưu phục hồi được trên máy bất kỳ bằng mật khẩu này."
        else:
            key = (
                "Chưa đặt mật khẩu sao lưu: bản sao lưu tự động cần kho khóa của máy và chỉ phục hồi được trên "
                "máy này. Hãy đặt mật khẩu sao lưu."
            )
        second = f" Nơi thứ hai: “{overview.second_folder}”." if overview.second_folder else ""
        self.status.setText(f"{key}\nThư mục sao lưu: “{overview.folder}”.{second}")
        self.passphrase_button.setText("Đổi mật khẩu sao lưu…" if overview.passphrase_set else "Đặt mật khẩu sao lưu…")
        from counter_app.services.maintenance.backup_checks import KEY_NOT_INCLUDED  # loaded by the overview already

        self.table.setRowCount(len(overview.rows))
        for index, row in enumerate(overview.rows):
            texts = (vn_moment(row.created), _size(row.size_bytes), _encryption(row), _second(row), _audit_key(row))
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == len(texts) - 1 and text:
                    item.setForeground(QColor("#b00020"))
                    item.setToolTip(KEY_NOT_INCLUDED)
                self.table.setItem(index, column, item)
        if overview.rows and not self.table.selectedItems():
            self.table.selectRow(0)
        self._update_buttons()
        emit(self.sig_loaded, overview)

    def selected_row(self) -> BackupRow | None:
        if self.overview is None:
            return None
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self.overview.rows[min(rows)] if rows and min(rows) < len(self.overview.rows) else None

    def _update_buttons(self) -> None:
        overview = self.overview
        may_back_up = overview is not None and overview.may_back_up and not self._busy
        may_restore = overview is not None and overview.may_restore and not self._busy
        for button, allowed in (
            (self.passphrase_button, may_back_up),
            (self.backup_button, may_back_up),
            (self.restore_button, may_restore and self.selected_row() is not None),
        ):
            button.setEnabled(allowed)
            refused = overview is not None and not (overview.may_back_up and overview.may_restore)
            button.setToolTip(ADMIN_ONLY if refused else "")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        self._update_buttons()

    # -- the passphrase --------------------------------------------------------------------------------

    def open_passphrase(self) -> None:
        replacing = self.overview is not None and self.overview.passphrase_set
        dialog = PassphraseDialog(replacing=replacing, parent=self)
        dialog.sig_confirmed.connect(self._set_passphrase)
        self.passphrase_dialog = dialog
        dialog.open()

    def _set_passphrase(self) -> None:
        dialog = self.passphrase_dialog
        if self._services is None or dialog is None:
            return
        self._runner.run_serial(
            self._services.backup.set_recovery_passphrase,
            dialog.passphrase(),
            on_done=self._on_passphrase_set,
            on_error=self._on_passphrase_error,
        )

    def _on_passphrase_set(self, _key: object) -> None:
        if self.passphrase_dialog is not None:
            self.passphrase_dialog.accept()
            self.passphrase_dialog.forget()
            self.passphrase_dialog = None
        self.result.setText("Đã lưu mật khẩu sao lưu: từ bản sao lưu tới, mọi bản phục hồi được bằng mật khẩu này.")
        emit(self.sig_passphrase_set)
        self.refresh()

    def _on_passphrase_error(self, exc: object) -> None:
        if self.passphrase_dialog is not None and isinstance(exc, CounterError):
            self.passphrase_dialog.show_message(exc.message)
        else:
            show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    # -- a backup now ----------------------------------------------------------------------------------

    def back_up_now(self) -> None:
        if self._services is None or self._busy:
            return
        self._set_busy(True)
        self.result.setText("Đang sao lưu…")
        self.warning.hide()
        # like the automatic backup, beside the desk's writes (a snapshot: writers go on)
        self._runner.run_pooled(
            self._services.backup.create_backup, on_done=self._on_backup, on_error=self._on_backup_error
        )

    def _on_backup(self, result: BackupResult) -> None:
        self._set_busy(False)
        info = result.info
        how = "mật khẩu sao lưu" if info.needs_passphrase else "khóa trong kho khóa của máy"
        removed = f"; đã xóa {len(result.removed)} bản sao lưu cũ" if result.removed else ""
        second = " Đã chép và kiểm tra bản sao ở nơi thứ hai." if result.second_copy else ""
        self.result.setText(
            f"Đã sao lưu lúc {vn_moment(info.created)} ({_size(info.size_bytes)}, mã hóa bằng {how}){removed}." + second
        )
        self.show_warnings(result.warnings)
        emit(self.sig_backup_done, result)
        self.refresh()

    def show_warnings(self, warnings: tuple[str, ...]) -> None:
        """What the administrator must hear although the backup was written (the second destination)."""
        self.warning.setText("\n".join(f"Cảnh báo: {text}" for text in warnings))
        self.warning.setVisible(bool(warnings))

    def _on_backup_error(self, exc: object) -> None:
        self._set_busy(False)
        self.result.setText(f"Chưa sao lưu được: {_message(exc)}")

    # -- a restore -------------------------------------------------------------------------------------

    def open_restore(self) -> None:
        row = self.selected_row()
        if row is None or self._services is None:
            return
        dialog = RestoreDialog(row, parent=self)
        dialog.sig_confirmed.connect(self._restore)
        self.restore_dialog = dialog
        dialog.open()

    def _restore(self) -> None:
        dialog, row = self.restore_dialog, self.selected_row()
        if self._services is None or dialog is None or row is None:
            return
        passphrase = dialog.passphrase.text() if row.needs_passphrase else None
        self._set_busy(True)
        # the serial worker: no write of this window runs while the file is replaced
        self._runner.run_serial(
            self._services.backup.restore,
            row.path,
            passphrase=passphrase,
            bring_back=dialog.bring_back.isChecked(),
            on_done=self._on_restored,
            on_error=self._on_restore_error,
        )

    def _on_restore_error(self, exc: object) -> None:
        self._set_busy(False)
        if self.restore_dialog is not None:
            self.restore_dialog.show_message(_message(exc))

    def _on_restored(self, result: RestoreResult) -> None:
        log.info("restored from the backups screen")
        if self.restore_dialog is not None:
            self.restore_dialog.accept()
            self.restore_dialog.forget()
            self.restore_dialog = None
        if self._services is not None:
            self._services.close()  # what the window read so far came from the replaced file
        self.setEnabled(False)
        box = RestoreNotice(result, parent=self)
        box.finished.connect(lambda _code: self.restart())
        self.notice = box
        emit(self.sig_restored, result)
        box.open()
