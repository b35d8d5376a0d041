"""The installation's health check (`counter-app doctor`): each check with its status and what to do about it.

Statuses: "ok"; "warning" (works, but needs attention); "problem" (only the database integrity check: the
data is damaged); "unknown" (could not be checked here); "skipped" (not configured).
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from counter_app.errors import CounterError, RuleError
from counter_app.services.accounts.vault_adoption import HANDOVER_FILE, handover_waiting
from counter_app.services.common.context import ServiceContext
from counter_app.services.maintenance import backup_checks, backup_keys, doctor_central
from counter_app.services.maintenance.backup_names import UNCONFIGURED
from counter_app.services.maintenance.backups import BackupService
from counter_app.services.maintenance.doctor_report import OK, PROBLEM, SKIPPED, UNKNOWN, WARNING, Check, DoctorReport
from counter_app.services.maintenance.integrity import IntegrityService, RecoveryPlan
from counter_app.storage import sqlite_file
from counter_app.storage.migrate import local_revisions

log = logging.getLogger(__name__)

MIN_FREE_BYTES = 1 << 30
LARGE_WAL_BYTES = 256 << 20
STALE_BACKUP = timedelta(days=2)
TTF_SIGNATURES = (b"\x00\x01\x00\x00", b"OTTO", b"true")


def _system_now() -> datetime:
    return datetime.now(UTC)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class DoctorService:
    def __init__(
        self,
        context: ServiceContext,
        backups: BackupService,
        integrity: IntegrityService,
        *,
        system_clock: Callable[[], datetime] = _system_now,
        connect_timeout: float = 3.0,
    ) -> None:
        self.context = context
        self.backups = backups
        self.integrity = integrity
        # the machine's own clock for the skew check; the drill clock takes no part in it
        self.system_clock = system_clock
        self.connect_timeout = connect_timeout

    def run(self) -> DoctorReport:
        """Every check, in the order an administrator reads them; a failing check never stops the others."""
        database, recovery = self._guard("database", self.check_database)
        central = self._guard("central", self.check_central)[0]
        checks = (
            database,
            self._guard("schema", self.check_schema)[0],
            self._guard("wal", self.check_wal)[0],
            self._guard("fonts", self.check_fonts)[0],
            self._guard("printers", self.check_printers)[0],
            central,
            self._guard("clock", lambda: (self.check_clock(central), None))[0],
            self._guard("disk", self.check_disk)[0],
            self._guard("backup", self.check_backup)[0],
            self._guard("secrets", self.check_secrets)[0],
        )
        return DoctorReport(checks, recovery)

    def _guard(self, name: str, run: Callable[[], tuple[Check, RecoveryPlan | None]]) -> tuple[Check, Any]:
        try:
            return run()
        except CounterError as exc:
            return Check(name, UNKNOWN, exc.message), None
        except Exception as exc:
            log.exception("doctor check %s failed", name)
            return Check(name, UNKNOWN, f"Không kiểm tra được ({type(exc).__name__})."), None

    @property
    def db_path(self) -> Path:
        return self.context.database.path

    # -- the checks ------------------------------------------------------------------------------------

    def check_database(self) -> tuple[Check, RecoveryPlan | None]:
        path = self.db_path
        if not path.exists():
            return Check(
                "database",
                WARNING,
                f"Chưa có cơ sở dữ liệu tại “{path}”.",
                "Mở ứng dụng hoặc chạy “counter-app init” để tạo.",
                {"path": str(path)},
            ), None
        report = self.integrity.full_check()
        details = {"path": str(path), "size_bytes": _size(path), "seconds": round(report.seconds, 2)}
        if report.ok:
            return Check("database", OK, "Cơ sở dữ liệu nguyên vẹn (integrity_check: ok).", "", details), None
        plan = self.integrity.recovery_plan(report)
        assert plan is not None
        details["problems"] = list(report.problems[:5])
        action = f"Đóng ứng dụng rồi chạy: {plan.command}" if plan.command else " ".join(plan.steps)
        return Check("database", PROBLEM, plan.problem, action, details), plan

    def check_schema(self) -> tuple[Check, None]:
        if not self.db_path.exists():
            return Check("schema", SKIPPED, "Chưa có cơ sở dữ liệu."), None
        head, known = local_revisions()
        try:
            current = sqlite_file.schema_revision(self.db_path)
        except sqlite3.DatabaseError:
            return Check("schema", UNKNOWN, "Không đọc được phiên bản lược đồ: tệp cơ sở dữ liệu bị hỏng."), None
        details = {"revision": current, "head": head}
        if current == head:
            return Check("schema", OK, f"Lược đồ dữ liệu ở phiên bản mới nhất ({head}).", "", details), None
        if current in known:
            return Check(
                "schema",
                WARNING,
                f"Lược đồ dữ liệu ở phiên bản {current}, cũ hơn phiên bản {head} của ứng dụng.",
                "Mở ứng dụng: lược đồ được nâng cấp tự động (có sao lưu trước khi nâng cấp).",
                details,
            ), None
        return Check(
            "schema",
            WARNING,
            f"Lược đồ dữ liệu ở phiên bản {current or '(không có)'} mà ứng dụng này không biết.",
            "Cơ sở dữ liệu do phiên bản ứng dụng mới hơn tạo ra: hãy cập nhật ứng dụng.",
            details,
        ), None

    def check_wal(self) -> tuple[Check, None]:
        if not self.db_path.exists():
            return Check("wal", SKIPPED, "Chưa có cơ sở dữ liệu."), None
        mode = sqlite_file.header_journal_mode(self.db_path)
        wal_bytes = _size(sqlite_file.companions(self.db_path)[0])
        details = {"journal_mode": mode, "wal_bytes": wal_bytes}
        if wal_bytes > LARGE_WAL_BYTES:
            return Check(
                "wal",
                WARNING,
                f"Tệp nhật ký ghi (WAL) lớn bất thường ({wal_bytes // (1 << 20)} MB).",
                "Đóng mọi cửa sổ ứng dụng và lệnh counter-app đang chạy lâu để nhật ký được gộp vào cơ sở dữ liệu.",
                details,
            ), None
        if mode == "wal":
            return Check("wal", OK, "Chế độ ghi WAL đang bật.", "", details), None
        if mode == "unknown":
            return Check("wal", UNKNOWN, "Không đọc được phần đầu tệp cơ sở dữ liệu.", "", details), None
        return Check(
            "wal", OK, "Chế độ ghi WAL sẽ được bật khi ứng dụng mở cơ sở dữ liệu (sau phục hồi).", "", details
        ), None

    def check_fonts(self) -> tuple[Check, None]:
        from counter_app.printing.fonts import font_paths

        bad = []
        for path in font_paths().values():
            try:
                with path.open("rb") as handle:
                    if handle.read(4) not in TTF_SIGNATURES:
                        bad.append(path.name)
            except OSError:
                bad.append(path.name)
        if bad:
            return Check(
                "fonts",
                WARNING,
                f"Thiếu hoặc hỏng phông chữ in: {', '.join(bad)}.",
                "Cài đặt lại chương trình.",
                {"missing": bad},
            ), None
        return Check("fonts", OK, "Đủ phông chữ Noto Sans để hiển thị và in.", "", {"missing": []}), None

    def check_printers(self) -> tuple[Check, None]:
        settings = self.backups.settings()
        configured = {
            role: name
            for role, name in (
                ("receipt", settings.printer_receipt),
                ("slip", settings.printer_slip),
                ("letter", settings.printer_letter),
            )
            if name
        }
        lpstat = shutil.which("lpstat")
        if lpstat is None:
            return Check(
                "printers",
                UNKNOWN,
                "Không kiểm tra được máy in từ dòng lệnh trên hệ điều hành này.",
                "Kiểm tra máy in trong phần Cài đặt của hệ điều hành và in thử từ ứng dụng.",
                {"queues": None, "configured": configured},
            ), None
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        try:
            result = subprocess.run([lpstat, "-a"], capture_output=True, text=True, timeout=10, env=env, check=False)
        except subprocess.TimeoutExpired:
            result = None
        if result is None or result.returncode != 0:
            text = "" if result is None else (result.stderr or result.stdout)
            summary = (
                "Chưa có máy in nào được cài đặt." if "No destinations" in text else "Dịch vụ in (CUPS) không trả lời."
            )
            return Check(
                "printers",
                WARNING,
                summary,
                "Cài đặt máy in / khởi động dịch vụ in, rồi in thử từ ứng dụng.",
                {"queues": [], "configured": configured, "lpstat": text.strip()[:200]},
            ), None
        queues = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
        details = {"queues": queues, "configured": configured}
        missing = sorted({name for name in configured.values() if name not in queues})
        if missing:
            return Check(
                "printers",
                WARNING,
                f"Máy in đã chọn trong thiết lập không còn trên máy: {', '.join(missing)}.",
                "Chọn lại máy in trong phần thiết lập của ứng dụng.",
                details,
            ), None
        if not queues:
            return Check("printers", WARNING, "Chưa có máy in nào.", "Cài đặt máy in.", details), None
        return Check("printers", OK, f"Máy in sẵn sàng: {', '.join(queues)}.", "", details), None

    def check_central(self) -> tuple[Check, None]:
        return doctor_central.check_central(self.backups.settings().central_url, self.connect_timeout), None

    def check_clock(self, central: Check) -> Check:
        settings = self.backups.settings()
        return doctor_central.check_clock(
            central, settings.central_url, settings.central_ca_file, self.connect_timeout, self.system_clock
        )

    def check_disk(self) -> tuple[Check, None]:
        folder = self.db_path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        usage = shutil.disk_usage(folder)
        db_bytes = _size(self.db_path) + _size(sqlite_file.companions(self.db_path)[0])
        needed = max(MIN_FREE_BYTES, 3 * db_bytes)
        details = {"folder": str(folder), "free_bytes": usage.free, "database_bytes": db_bytes}
        free_text = f"{usage.free / (1 << 30):.1f} GB"
        if usage.free < needed:
            return Check(
                "disk",
                WARNING,
                f"Ổ đĩa chứa dữ liệu còn ít chỗ trống ({free_text}).",
                "Giải phóng chỗ trống trên ổ đĩa: sao lưu và phục hồi cần chỗ bằng vài lần cơ sở dữ liệu.",
                details,
            ), None
        return Check("disk", OK, f"Ổ đĩa chứa dữ liệu còn trống {free_text}.", "", details), None

    def check_backup(self) -> tuple[Check, None]:
        settings = self.backups.settings()
        folder = self.backups.backup_dir()
        backups = self.backups.list_backups()
        latest = backups[0] if backups else None
        details: dict[str, Any] = {"folder": str(folder), "count": len(backups), "latest": None, "age_hours": None}
        keyring_state = self._keyring_state(settings.agency_code or UNCONFIGURED, settings.counter)
        details["keyring"] = keyring_state
        survival = backup_checks.survival(
            self.context.data_dir,
            settings.backup_second_dir,
            latest.created if latest else None,
            lambda second: next((b.created for b in self.backups.list_backups(second)), None),
        )
        details.update(survival.details)
        if latest is None:
            return Check(
                "backup",
                WARNING,
                f"Chưa có bản sao lưu nào trong “{folder}”.",
                "Chạy “counter-app backup” (ứng dụng tự sao lưu mỗi ngày khi được mở).",
                details,
            ), None
        age = self.context.clock.now() - latest.created
        details["latest"] = str(latest.path)
        details["age_hours"] = round(age.total_seconds() / 3600, 1)
        taken = latest.created.strftime("%H:%M ngày %d/%m/%Y")
        if keyring_state == "unavailable" and not survival.has_recovery_key:
            return Check(
                "backup",
                WARNING,
                f"Bản sao lưu gần nhất lúc {taken}, nhưng không dùng được kho khóa nên không sao lưu tự động được.",
                "Mở ứng dụng trong phiên đăng nhập có kho khóa, hoặc sao lưu bằng mật khẩu: "
                "“counter-app backup --passphrase-stdin”. " + backup_checks.SET_KEY_ACTION,
                details,
            ), None
        if age > STALE_BACKUP and self._changed_since(latest.created):
            return Check(
                "backup",
                WARNING,
                f"Bản sao lưu gần nhất đã cũ (lúc {taken}) và dữ liệu đã thay đổi sau đó.",
                "Chạy “counter-app backup”.",
                details,
            ), None
        if latest.audit_key_missing:
            summary = backup_checks.KEY_NOT_INCLUDED_LATEST.format(taken=taken)
            return Check("backup", WARNING, summary, backup_checks.KEY_NOT_INCLUDED_ACTION, details), None
        if survival.summary:  # the backups exist but would not outlive this PC (or its second copy is behind)
            return Check("backup", WARNING, survival.summary, survival.action, details), None
        return Check("backup", OK, f"Bản sao lưu gần nhất lúc {taken}: “{latest.path.name}”.", "", details), None

    def check_secrets(self) -> tuple[Check, None]:
        """Where the audit key and the sync credential live: keyring, secret vault, or plain 0600 files."""
        assert self.context.audit_keys is not None
        if not self.db_path.exists():  # nothing is created by looking
            return Check("secrets", SKIPPED, "Chưa có cơ sở dữ liệu: chưa có khóa bí mật nào."), None
        settings = self.context.settings()
        where, good, message, action = self.context.audit_keys.protection(
            settings.agency_code, settings.counter, self.context.accounts_exist()
        )
        waiting = handover_waiting(self.context)
        if where == "vault" and waiting:
            message = (
                f"{message} Khóa của kho bí mật còn nằm trong tệp “{HANDOVER_FILE}” (chỉ được bảo vệ bằng quyền truy "
                f"cập tệp) cho đến khi {len(waiting)} tài khoản chưa có phần trong kho đăng nhập một lần."
            )
            action = "Mỗi tài khoản còn lại đăng nhập một lần: " + ", ".join(waiting) + "."
            return Check("secrets", WARNING, message, action, {"storage": where, "waiting": waiting}), None
        return Check("secrets", OK if good else WARNING, message, action, {"storage": where}), None

    def _keyring_state(self, agency: str, counter: int) -> str:
        try:
            key = backup_keys.stored_key(backup_keys.key_name(agency, counter))
        except RuleError:
            return "unavailable"
        return "ok" if key is not None else "no key yet"

    def _changed_since(self, moment: datetime) -> bool:
        newest = max(
            (p.stat().st_mtime for p in (self.db_path, sqlite_file.companions(self.db_path)[0]) if p.exists()),
            default=0.0,
        )
        return newest > moment.timestamp()
