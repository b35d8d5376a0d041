"""The start-up summary: one row at the top of the queue page instead of boxes that take the focus at start.

What the clerk acts on today (dossiers that need an apology, the overdue ones among them), the events not yet
sent to the central database, and the state of the automatic backup (desk-layout.md: "Start-up shows one
summary in the work area ..., not modal boxes"). Each part is filled when its own worker answers; the clerk
hides the row once read. A damaged database is the exception: a red row under the summary, with the recovery
steps and where the administrator acts, that cannot be hidden (nothing may be taken in on a damaged file).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counter_app.errors import CounterError
from counter_app.ui.qt.qt_compat import emit

if TYPE_CHECKING:
    from counter_app.services.maintenance.backups import BackupResult
    from counter_app.services.maintenance.integrity import RecoveryPlan
    from counter_app.ui.shell.maintenance_watch import MaintenanceWatcher
    from counter_app.ui.shell.sync_panel import SyncPanel

WAITING = "…"
BACKUP_WAITING = "Sao lưu tự động: đang chờ kiểm tra cơ sở dữ liệu"
BACKUP_FAILED_DEFAULT = "Không tạo được bản sao lưu tự động."
BACKUP_ADVICE = "Báo cho quản trị viên; chạy “counter-app doctor” để xem chi tiết."
DAMAGE_TITLE = "Cơ sở dữ liệu bị hỏng"
DAMAGE_ADMIN = "Quản trị viên: trang “Sao lưu” (Phục hồi bản đã chọn…) hoặc lệnh “counter-app doctor” trên máy này."
DAMAGE_STYLE = "QLabel#summaryDamage { color: #b00020; background: #fde7ea; border: 1px solid #b00020; padding: 4px; }"


def backup_problem_text(exc: object) -> str:
    """What the clerk and the administrator read when the automatic backup could not run."""
    message = exc.message if isinstance(exc, CounterError) and exc.message else BACKUP_FAILED_DEFAULT
    return f"{message} {BACKUP_ADVICE}"


def damage_text(plan: RecoveryPlan) -> str:
    """The damaged database as the clerk and the administrator read it: the problem, the steps, where to act."""
    steps = " ".join(f"{n}. {step}" for n, step in enumerate(plan.steps, 1))
    return f"{DAMAGE_TITLE}. {plan.problem} Cách phục hồi: {steps} {DAMAGE_ADMIN}"


def damage_html(plan: RecoveryPlan) -> str:
    """The same, for the red row: the title in bold, each step on its own line."""
    lines = [f"<b>{escape(DAMAGE_TITLE, quote=False)}.</b> {escape(plan.problem, quote=False)}", "Cách phục hồi:"]
    lines += [f"{n}. {escape(step, quote=False)}" for n, step in enumerate(plan.steps, 1)]
    lines.append(f"<b>{escape(DAMAGE_ADMIN, quote=False)}</b>")
    return "<br>".join(lines)


class StartupSummary(QFrame):
    sig_open_late = Signal()
    """The clerk asked for the list of dossiers that need an apology."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startupSummary")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.late_label = QLabel(f"Cần lập phiếu xin lỗi hôm nay: {WAITING}")
        self.late_label.setObjectName("summaryLate")
        self.open_late_button = QPushButton("Xem danh sách")
        self.open_late_button.setVisible(False)
        self.open_late_button.clicked.connect(lambda: emit(self.sig_open_late))
        self.unsynced_label = QLabel(f"Chưa gửi lên máy chủ trung tâm: {WAITING}")
        self.unsynced_label.setObjectName("summaryUnsynced")
        self.backup_label = QLabel(BACKUP_WAITING)
        self.backup_label.setObjectName("summaryBackup")
        self.backup_label.setWordWrap(True)
        self.hide_button = QPushButton("Ẩn")
        self.hide_button.setToolTip("Ẩn bản tóm tắt đầu ngày")
        self.hide_button.clicked.connect(self.hide)
        self.damage_label = QLabel()
        self.damage_label.setObjectName("summaryDamage")
        self.damage_label.setStyleSheet(DAMAGE_STYLE)
        self.damage_label.setWordWrap(True)
        self.damage_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the command
        self.damage_label.setVisible(False)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(2)
        layout = QHBoxLayout()
        rows.addLayout(layout)
        rows.addWidget(self.damage_label)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.addWidget(self.late_label)
        layout.addWidget(self.open_late_button)
        layout.addWidget(QLabel("·"))
        layout.addWidget(self.unsynced_label)
        layout.addWidget(QLabel("·"))
        layout.addWidget(self.backup_label, 1)
        layout.addWidget(self.hide_button)
        self._offered = False
        self.late: tuple[int, int] | None = None
        self.unsynced: int | None = None
        self.backup_problem: str | None = None
        self.damage: str | None = None

    def show_once(self) -> None:
        """Shown when the services first arrive; once hidden by the clerk, it stays hidden (a new sign-in too)."""
        if not self._offered:
            self._offered = True
            self.setVisible(True)

    def follow_maintenance(self, maintenance: MaintenanceWatcher, tell: Callable[[str], None] | None = None) -> None:
        """The automatic backup's state, as the maintenance watcher reports it; `tell` (the window's message line)
        also hears a backup that cannot run (once) and a damaged database."""
        maintenance.sig_backup_done.connect(self.set_backup_done)
        maintenance.sig_backup_failed.connect(self.set_backup_failed)
        maintenance.sig_checked.connect(self.set_checked)
        if tell is not None:
            maintenance.sig_backup_problem.connect(lambda text: tell(f"Sao lưu tự động: {text}"))
            maintenance.sig_checked.connect(lambda plan: _tell_damage(tell, plan))

    def set_checked(self, plan: RecoveryPlan | None) -> None:
        """The quick check's answer: a damaged database shows the red row, which stays (no "Ẩn")."""
        if plan is None:
            return
        self.damage = damage_text(plan)
        self.damage_label.setText(damage_html(plan))
        self.damage_label.setVisible(True)
        self.hide_button.setVisible(False)
        self.backup_label.setStyleSheet("color: #b00020;")
        self.backup_label.setText("Sao lưu tự động: tạm dừng (cơ sở dữ liệu bị hỏng)")
        self._offered = True
        self.setVisible(True)

    def follow_sync(self, sync_panel: SyncPanel) -> None:
        """The events not yet sent, each time the sync field reads its status."""
        sync_panel.sig_status_shown.connect(lambda: self._show_unsynced(sync_panel))

    def _show_unsynced(self, sync_panel: SyncPanel) -> None:
        if sync_panel.last_status is not None:
            self.set_unsynced(sync_panel.last_status.pending)

    def set_late(self, need: int, overdue: int) -> None:
        self.late = (need, overdue)
        if need == 0:
            self.late_label.setText("Không có hồ sơ cần lập phiếu xin lỗi hôm nay")
            self.late_label.setStyleSheet("")
        else:
            self.late_label.setText(f"Cần lập phiếu xin lỗi hôm nay: <b>{need}</b> hồ sơ (quá hạn: <b>{overdue}</b>)")
            self.late_label.setStyleSheet("color: #b00020;" if overdue else "color: #a15c00;")
        self.open_late_button.setVisible(need > 0)

    def set_unsynced(self, pending: int) -> None:
        self.unsynced = pending
        self.unsynced_label.setText(f"Chưa gửi lên máy chủ trung tâm: <b>{pending}</b>")

    def set_backup_done(self, result: BackupResult | None) -> None:
        self.backup_problem = None
        self.backup_label.setStyleSheet("")
        if result is None:
            self.backup_label.setText("Sao lưu tự động: đã có bản sao lưu hôm nay")
        elif result.warnings:  # written, but the second destination missed it
            self.backup_label.setStyleSheet("color: #a15c00;")
            self.backup_label.setText(f"Sao lưu tự động: vừa tạo bản sao lưu hôm nay. {' '.join(result.warnings)}")
        else:
            self.backup_label.setText("Sao lưu tự động: vừa tạo bản sao lưu hôm nay")

    def set_backup_failed(self, exc: object) -> None:
        self.backup_problem = backup_problem_text(exc)
        self.backup_label.setStyleSheet("color: #b00020;")
        self.backup_label.setText(f"Sao lưu tự động: chưa sao lưu được. {self.backup_problem}")

    def texts(self) -> str:
        """The summary as the clerk reads it (tests)."""
        parts = [self.late_label.text(), self.unsynced_label.text(), self.backup_label.text()]
        if self.damage is not None:
            parts.append(self.damage)
        return " · ".join(parts).replace("<b>", "").replace("</b>", "")


def _tell_damage(tell: Callable[[str], None], plan: RecoveryPlan | None) -> None:
    if plan is not None:
        # the page is not changed (the clerk may be typing): the line says where the steps are
        tell(f"{DAMAGE_TITLE}: không tiếp nhận hồ sơ mới; cách phục hồi ở dòng đỏ trên danh sách hồ sơ. {DAMAGE_ADMIN}")
