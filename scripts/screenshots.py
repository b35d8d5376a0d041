"""Screenshots of the window on a virtual X screen (Xvfb) at 1366×728: the queue, the late cases, the calendar,
the intake, its confirmation, the print preview, a dossier, and the administrator's places (Sao lưu, Tài khoản,
Nhật ký thao tác, Nhập hồ sơ sau, Thiết lập).

Usage: .venv/bin/python scripts/screenshots.py [output folder, default docs/screenshots]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
X11_SOCKETS = Path("/tmp/.X11-unix")  # noqa: S108 - where X servers put their sockets
WINDOW_SIZE = (1366, 728)  # a 1366×768 screen less a taskbar (docs: desk layout)


def free_display() -> str:
    """A display number no X server uses (no socket, no lock file): the tests start their own meanwhile."""
    for number in range(99, 400):
        if not (X11_SOCKETS / f"X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():  # noqa: S108
            return f":{number}"
    sys.exit("no free X display number")


def start_xvfb() -> subprocess.Popen[bytes]:
    if shutil.which("Xvfb") is None:
        sys.exit("Xvfb is missing: apt-get install xvfb (make deps)")
    display = free_display()
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = X11_SOCKETS / f"X{display[1:]}"
    for _ in range(100):
        if socket.exists():
            break
        if xvfb.poll() is not None:
            sys.exit(f"Xvfb {display} did not start (is another server using it?)")
        time.sleep(0.05)
    os.environ["DISPLAY"] = display
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    return xvfb


def main(out_dir: Path) -> int:
    xvfb = start_xvfb()
    try:
        return take(out_dir)
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)


def take(out_dir: Path) -> int:
    # Qt is imported only now: the platform plugin is chosen from the environment set above
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication, QWidget

    from counter_app.bootstrap import build_services
    from counter_app.domain.clock import VN_TZ
    from counter_app.services.common.clock import DrillClock
    from counter_app.ui.qt.fonts import load_app_fonts
    from counter_app.ui.qt.task_runner import TaskRunner
    from counter_app.ui.shell.main_window import MainWindow

    app = QApplication([sys.argv[0]])
    family = load_app_fonts(app)
    print(f"application font: {family or 'system (Noto Sans missing)'}")
    out_dir.mkdir(parents=True, exist_ok=True)

    def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError("the window did not reach the expected state")
            QCoreApplication.processEvents()
            time.sleep(0.01)

    def settle(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.01)

    def grab(widget: QWidget, name: str) -> None:
        settle()
        path = out_dir / name
        widget.grab().save(str(path))
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(Path(tmp) / "demo.db", DrillClock(datetime(2026, 3, 2, 9, 30, tzinfo=VN_TZ)))
        services.setup.ensure_demo_profile()
        services.context.clerk = services.context.settings().clerk_name
        seed(services)
        runner = TaskRunner()
        window = MainWindow(runner, open_documents=False)
        window.resize(*WINDOW_SIZE)
        window.show()
        window.set_services(services)
        wait_until(lambda: window.rail.text("today").startswith("Hôm nay (") and window.model.rowCount() > 0)
        catalogue = window.catalogue
        assert catalogue is not None
        wait_until(lambda: catalogue.model.rowCount() > 0)
        wait_until(lambda: window.rail.buttons["late"].count() is not None)
        window.show_message("Đã mở cơ sở dữ liệu minh họa: 5 hồ sơ mẫu, 1 bản nháp tiếp nhận.")
        grab(window, "main_window.png")

        window.go_to("late")
        grab(window, "late_cases.png")

        window.go_to("calendar")
        calendar = window.calendar
        assert calendar is not None
        wait_until(lambda: calendar.table.rowCount() > 0)
        grab(window, "calendar.png")

        opened = window.open_intake()
        assert opened is not None
        intake = opened
        wait_until(lambda: opened.picker.procedure() is not None, timeout=5)
        wait_until(lambda: "2026" in opened.due_label.text())
        grab(window, "intake_screen.png")
        intake.lines["identifier"].setText("07919001234")
        intake.accept_dossier()
        wait_until(lambda: opened.field_error("identifier") != "")
        grab(window, "intake_validation.png")
        intake.lines["identifier"].setText("079190012345")
        intake.accept_dossier()
        wait_until(intake.showing_confirmation)
        grab(window, "intake_confirmation.png")

        # the preview the confirmation's "In giấy tiếp nhận" opens (the window of the tests opens none itself)
        from counter_app.ui.documents.print_preview import DocumentPreviews

        accepted = intake.result()
        assert accepted is not None and accepted.code is not None
        previews = DocumentPreviews(services, runner, window, window._on_dossier_printed)
        preview = previews.open(services.documents.render(accepted.code, "receipt"))
        screen = window.screen()
        preview.fit_to(screen.availableGeometry() if screen is not None else window.geometry())
        settle(1.0)  # QtPdf renders the pages
        grab(preview, "print_preview.png")
        preview.close()

        code = services.dossiers.find("Hoàng Thị Ẩn")[0].uuid
        window.open_dossier(code)
        wait_until(lambda: bool(window.dossier_tabs) and next(iter(window.dossier_tabs.values())).bundle() is not None)
        grab(window, "dossier_screen.png")

        # the administrator's places, as an administrator sees them: two accounts, the administrator signed in
        accounts = services.accounts
        accounts.add_user("quan.tri", "admin", "mat-khau-tam-1", full_name="Nguyễn Văn Quản", title="Quản trị viên")
        accounts.sign_in("quan.tri", "mat-khau-tam-1")  # the first account needs no one signed in; the next do
        accounts.add_user(
            "lan.tran", "clerk", "mat-khau-tam-2", full_name="Trần Thị Lan", title="Công chức Tư pháp - Hộ tịch"
        )
        window.places.follow_role(accounts.allows, signed_in=True)
        # the backups page with what a ward's PC holds: the administrator's passphrase set, two backups taken
        services.backup.set_recovery_passphrase("mat-khau-sao-luu-minh-hoa")
        for _ in range(2):
            services.backup.create_backup()
        for place, name, ready in (
            ("backups", "backups.png", lambda: window.pages.page_of("backups") is not None),
            ("accounts", "accounts.png", lambda: window.pages.page_of("accounts") is not None),
            ("audit", "audit_log.png", lambda: window.pages.page_of("audit") is not None),
        ):
            window.go_to(place)
            wait_until(ready)
            settle(1.0)  # each page reads its list on a worker
            grab(window, name)
        # "Nhập hồ sơ sau" (a supervisor's, an administrator's too): a dossier re-entered from its Liên 1 copy
        window.go_to("back_entry")
        back_entry = window.intake
        assert back_entry is not None and back_entry.after_the_fact.active
        intake = back_entry
        intake.after_the_fact.code.setText(f"{accepted.code[:-4]}1009")
        intake.after_the_fact.received.setText("02/03/2026 08:10")
        intake.after_the_fact.reason.setText("Mất dữ liệu sau khi phục hồi bản sao lưu; nhập lại từ liên lưu")
        intake.picker.select_code("DEMO.KH")
        wait_until(lambda: back_entry.picker.procedure() is not None and back_entry.papers.rowCount() > 0, timeout=5)
        for key, text in (("identifier", "079190012345"), ("name", "Đỗ Thị Ẫn"), ("birth_date", "05/09/1990")):
            intake.lines[key].setText(text)
        intake.lines["address"].setText("Số 8 Đường Ỷ Lan, Phường Ông Lãnh")
        grab(window, "intake_after_the_fact.png")

        settings = window.open_settings()
        assert settings is not None
        settle(1.0)
        grab(settings, "settings.png")
        settings.close()

        window.close()
        runner.wait_for_workers()
        settle(0.1)
        services.close()
    return 0


def seed(services: Any) -> None:
    """A few dossiers in every queue, and a draft for the intake screen (names with stacked marks)."""
    from counter_app.domain.clock import VN_TZ
    from counter_app.domain.intake import IntakeForm

    def form(procedure: str, name: str, **changes: Any) -> IntakeForm:
        values: dict[str, Any] = {
            "identifier": "079190012345",
            "birth_date": "05/09/1990",
            "sex": "Nữ",
            "address": "Số 7 Đường Ấp Bắc, Phường Bến Thành",
            "phone": "0903123456",
        }
        values.update(changes)
        return IntakeForm(procedure_code=procedure, name=name, **values)

    s = services
    ready = s.intake.accept(form("DEMO.KH", "Hoàng Thị Ẩn"))
    s.dossiers.transfer(ready.uuid)
    s.dossiers.result_ready(ready.uuid)
    s.intake.accept(form("1.001193", "Trần Văn Ổn", sex="Nam", identifier="079090012345"))
    waiting = s.intake.accept(form("DEMO.KH", "Lê Thị Ỹ"))
    s.dossiers.transfer(waiting.uuid)
    s.dossiers.request_supplement(waiting.uuid, "Thiếu giấy xác nhận tình trạng hôn nhân")
    # received on Thursday 26/02 with a same-day procedure: overdue on Monday 02/03
    s.intake.accept(form("1.001193", "Võ Thị Ễnh", received_at=datetime(2026, 2, 26, 10, 0, tzinfo=VN_TZ)))
    s.intake.refuse(
        form("DEMO.KT", "Phạm Văn Ấu", sex="Nam", identifier="079090054321", reason="Không thuộc thẩm quyền")
    )
    s.drafts.save_draft(
        "intake",
        {
            "version": 1,
            "procedure_code": "DEMO.KH",
            "applicant_kind": "person",
            "lines": {
                "identifier": "079190012345",
                "name": "NGUYỄN THỊ ẤU",
                "birth_date": "05/09/1990",
                "address": "Số 12 Đường Ỷ Lan, Phường Ông Lãnh",
                "phone": "0903 123 456",
                "email": "",
                "filer_name": "",
                "filer_identifier": "",
                "filer_phone": "",
                "filer_authorisation": "",
                "postal_address": "",
            },
            "sex": "Nữ",
            "filer": False,
            "channel": 1,
            "result_delivery": "desk",
            "sets_count": 1,
            "fee_paid": False,
            "papers": [
                ["Tờ khai đăng ký kết hôn", 1, 0, True],
                ["Giấy xác nhận tình trạng hôn nhân (nếu đăng ký ở nơi khác nơi cư trú)", 1, 0, False],
            ],
            "reason": "",
        },
    )


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    sys.exit(main(target.resolve()))
