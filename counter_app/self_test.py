"""`counter-app --self-test`: in a throwaway folder, render every document, back up and restore, open every screen.

Made for a frozen build on the machine it was installed on (the installers' smoke test runs it): it proves the
bundle holds what printing, encryption and the window need. Exit 0 when every step worked, 1 otherwise.
Qt runs offscreen unless QT_QPA_PLATFORM says otherwise; nothing of the real installation is read or written.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TextIO

START = "2026-03-02 09:00"  # a Monday, a working day in the shipped calendar
BACKUP_PASSPHRASE = "tu-kiem-tra-sao-luu"  # noqa: S105 - a throwaway backup in a temporary folder


@dataclass(frozen=True)
class Step:
    name: str
    ok: bool
    detail: str = ""


class SelfTestClock:
    """The services' clock, moved by the self-test (a late dossier needs time to pass)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


class Steps:
    """Runs named steps; a failing step is recorded (with its traceback on stderr) and the run goes on."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.done: list[Step] = []

    def run(self, name: str, action: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        try:
            result = action()
        except Exception as exc:
            self.record(Step(name, False, f"{type(exc).__name__}: {exc}"))
            traceback.print_exc(file=self.err)
            return None
        self.record(Step(name, True, f"{time.perf_counter() - started:.2f} s"))
        return result

    def record(self, step: Step) -> None:
        self.done.append(step)
        mark = "[OK]  " if step.ok else "[LỖI] "
        self.out.write(f"{mark}{step.name}" + (f" — {step.detail}" if step.detail else "") + "\n")
        self.out.flush()


def _check_pdf(path: Path) -> Path:
    data = path.read_bytes()
    if not data.startswith(b"%PDF") or len(data) < 1000:
        raise RuntimeError(f"{path.name} is not a complete PDF ({len(data)} bytes)")
    return path


def _arrange(services: Any, clock: SelfTestClock) -> dict[str, str]:
    """One dossier or slip for each document kind; returns kind -> dossier code or slip number."""
    from counter_app.domain.intake import IntakeForm
    from counter_app.services.common.clock import parse_local_moment

    procedures = services.catalogue.list_procedures("")
    with_fee = next(p for p in procedures if p.fee > 0)
    with_days = next(p for p in procedures if p.days > 0 and not p.same_day_cutoff)
    form = IntakeForm(procedure_code=with_fee.code, name="Nguyễn Văn Tự Kiểm", identifier="079090001234")
    clock.moment = parse_local_moment(START)
    paid = services.intake.accept(replace(form, fee_paid=True)).code
    withdrawn = services.intake.accept(replace(form, procedure_code=with_days.code)).code
    services.dossiers.withdraw(withdrawn, "Công dân xin rút hồ sơ để bổ sung giấy tờ")
    supplement = services.intake.request_supplement(replace(form, missing=("Bản sao giấy khai sinh",))).slip
    refusal = services.intake.refuse(replace(form, reason="Thủ tục không thuộc thẩm quyền của phường")).slip
    late = services.intake.accept(replace(form, procedure_code=with_days.code)).code
    state = services.dossiers.get_state(late)
    clock.moment = state.due_at + timedelta(days=1)
    _reappoint(services, late, clock.moment.date())
    return {
        "receipt": paid,
        "control": paid,
        "fee": paid,
        "withdrawal": withdrawn,
        "supplement": supplement,
        "refusal": refusal,
        "apology": late,
    }


def _reappoint(services: Any, code: str, today: date) -> None:
    from counter_app.errors import ValidationError

    for days in range(1, 15):  # the first working day the rules accept as the new appointment
        try:
            services.late.reappoint(
                code, reason="Cơ quan giải quyết cần xác minh thêm", new_date=today + timedelta(days)
            )
        except ValidationError:
            continue
        return
    raise RuntimeError("no new appointment day was accepted")


def _render(services: Any, key: str, kind: str, out: Path) -> Path:
    return _check_pdf(services.documents.render(key, kind, out).path)


def _export(reports: Any, report: str, start: date, end: date, out: Path) -> Path:
    return _check_pdf(reports.export(report, start, end, "pdf", out).path)


def _documents(steps: Steps, services: Any, clock: SelfTestClock, folder: Path) -> tuple[str | None, list[Path]]:
    """Every document kind and report rendered; returns a dossier code (for the dossier screen) and the PDFs."""
    keys = steps.run("Tạo hồ sơ mẫu cho từng loại giấy tờ", lambda: _arrange(services, clock))
    if not keys:
        return None, []
    pdfs: list[Path] = []
    for kind, key in keys.items():
        path = steps.run(f"In giấy tờ “{kind}”", partial(_render, services, key, kind, folder / f"{kind}.pdf"))
        if path is not None:
            pdfs.append(path)
    reports = getattr(services, "reports", None)
    if reports is not None:
        start, end = date(clock.moment.year, 1, 1), clock.moment.date()
        for report in ("book", "stats", "late"):
            path = steps.run(
                f"Xuất báo cáo “{report}” (PDF)",
                partial(_export, reports, report, start, end, folder / f"{report}.pdf"),
            )
            if path is not None:
                pdfs.append(path)
        steps.run(
            "Xuất báo cáo thống kê (Excel)",
            lambda: reports.export("stats", start, end, "xlsx", folder / "stats.xlsx"),
        )
    return str(keys["receipt"]), pdfs


def _backup_round_trip(folder: Path, db: Path, clock: SelfTestClock) -> None:
    from counter_app.bootstrap import build_maintenance

    source = build_maintenance(db, clock)
    try:
        backup = source.backup.create_backup(to_dir=folder / "backups", passphrase=BACKUP_PASSPHRASE).info.path
    finally:
        source.close()
    if b"SQLite format 3" in backup.read_bytes():
        raise RuntimeError("the backup is not encrypted")
    target = build_maintenance(folder / "restored" / "counter.db", clock)
    try:
        target.backup.restore(backup, passphrase=BACKUP_PASSPHRASE)
        if not target.integrity.full_check().ok:
            raise RuntimeError("the restored database fails its integrity check")
    finally:
        target.close()


def run_self_test(out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Every step, then a one-line verdict; 0 when all worked."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # keys of the throwaway installation must not land in the user's real keyring: files in the folder instead
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    out = out or sys.stdout
    err = err or sys.stderr
    steps = Steps(out, err)
    with tempfile.TemporaryDirectory(prefix="counter-app-self-test-") as name:
        folder = Path(name)
        _run_all(steps, folder)
    failed = [s for s in steps.done if not s.ok]
    total = len(steps.done)
    if failed:
        out.write(f"Tự kiểm tra: {len(failed)}/{total} bước KHÔNG thành công.\n")
        return 1
    out.write(f"Tự kiểm tra: cả {total} bước đều thành công.\n")
    return 0


def _run_all(steps: Steps, folder: Path) -> None:
    from counter_app.bootstrap import build_services
    from counter_app.services.common.clock import parse_local_moment

    clock = SelfTestClock(parse_local_moment(START))
    db = folder / "counter.db"

    def open_installation() -> Any:
        services = build_services(db, clock, data_dir=folder)
        services.setup.ensure_demo_profile()
        return services

    services = steps.run("Tạo cơ sở dữ liệu và nạp danh mục thủ tục", open_installation)
    if services is None:
        return
    try:
        code, pdfs = _documents(steps, services, clock, folder / "printed")  # not "documents", the archive
        steps.run("Sao lưu có mã hóa và phục hồi", lambda: _backup_round_trip(folder, db, clock))

        def tour() -> list[tuple[str, bool, str]]:
            from counter_app.ui.shell.screen_tour import tour_screens  # Qt only from here on

            return tour_screens(services, code, pdfs)

        for name, ok, detail in steps.run("Khởi động giao diện (Qt)", tour) or []:
            steps.record(Step(name, ok, detail))
    finally:
        services.close()
