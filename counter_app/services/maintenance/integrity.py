"""Whether the database file is sound (SQLite's quick and full checks) and, when it is not, how to recover."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from counter_app.services.common.context import ServiceContext
from counter_app.services.maintenance.backup_names import BackupInfo
from counter_app.services.maintenance.backups import BackupService
from counter_app.storage import sqlite_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IntegrityReport:
    ok: bool
    full: bool
    problems: tuple[str, ...]
    checked_at: datetime
    seconds: float


@dataclass(frozen=True)
class RecoveryPlan:
    """What to do about a damaged database: a Vietnamese explanation, the latest backup and the command to run."""

    problem: str
    backup: BackupInfo | None
    command: str
    steps: tuple[str, ...]


class IntegrityService:
    def __init__(self, context: ServiceContext, backups: BackupService) -> None:
        self.context = context
        self.backups = backups

    def quick_check(self) -> IntegrityReport:
        """PRAGMA quick_check: seconds even on a large file, run after the window is shown."""
        return self._check(full=False)

    def full_check(self) -> IntegrityReport:
        """PRAGMA integrity_check: also compares every index with its table (doctor)."""
        return self._check(full=True)

    def recovery_plan(self, report: IntegrityReport | None = None) -> RecoveryPlan | None:
        """None when the database is sound (a quick check is run unless `report` is given); else what to do."""
        report = report or self.quick_check()
        if report.ok:
            return None
        db_path = self.context.database.path
        latest = self.backups.latest_backup()
        problem = (
            "Cơ sở dữ liệu trên máy này bị hỏng (SQLite báo lỗi khi kiểm tra). Không nên tiếp tục tiếp nhận hồ sơ "
            "trên dữ liệu hỏng."
        )
        if latest is None:
            return RecoveryPlan(
                problem=problem,
                backup=None,
                command="",
                steps=(
                    f"Không tìm thấy bản sao lưu nào trong thư mục sao lưu “{self.backups.backup_dir()}”.",
                    f"Đóng ứng dụng và sao chép nguyên tệp “{db_path}” (cùng các tệp -wal, -shm nếu có) sang nơi "
                    "an toàn, rồi liên hệ bộ phận kỹ thuật để cứu dữ liệu.",
                ),
            )
        command = latest.restore_command(db_path)
        taken = latest.created.strftime("%H:%M ngày %d/%m/%Y")
        steps = [
            f"Bản sao lưu gần nhất: “{latest.path}” (tạo lúc {taken}).",
            "Đóng ứng dụng Bộ phận Một cửa trên máy này.",
            f"Chạy lệnh: {command}",
            "Cơ sở dữ liệu hỏng được giữ lại bên cạnh với tên có đuôi “.before-restore-…”.",
            f"Những gì ghi nhận sau {taken} không có trong bản sao lưu: đối chiếu với giấy tiếp nhận đã in và báo "
            "bộ phận kỹ thuật trước khi tiếp nhận hồ sơ mới (số hồ sơ đã cấp sau thời điểm đó không được cấp lại).",
        ]
        if latest.needs_passphrase:
            steps.insert(3, "Bản sao lưu này cần mật khẩu sao lưu của quản trị viên (nhập khi lệnh hỏi).")
        return RecoveryPlan(problem=problem, backup=latest, command=command, steps=tuple(steps))

    def _check(self, *, full: bool) -> IntegrityReport:
        started = time.perf_counter()
        path = self.context.database.path
        problems = sqlite_file.check(path, quick=not full) if path.exists() else []
        seconds = time.perf_counter() - started
        if problems:
            log.error("database %s check failed: %s", "integrity" if full else "quick", "; ".join(problems[:3]))
        return IntegrityReport(not problems, full, tuple(problems), self.context.clock.now(), seconds)
