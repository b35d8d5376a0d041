"""The desk on a real X screen: run by test_desk_on_x11.py as its own process (QT_QPA_PLATFORM=xcb, DISPLAY set).

Over a demo database (as scripts/screenshots.py builds it) it shows the main window at 1366×728, opens the
intake, accepts a dossier (the confirmation page), opens two dossiers, and at 1366×728 and 1280×720 reads what
the X server holds: the minimum size the window asks of a window manager (`xprop WM_NORMAL_HINTS`), the
window's geometry (`xwininfo`), whether each action button lies inside the window, and, for the intake with its
filer group unfolded, the range of the form's vertical scrollbar (0: nothing to scroll) and the fields that are not
wholly in view. Prints one JSON object.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SIZES = ((1366, 728), (1280, 720))


def _x_min_size(win_id: int) -> list[int] | None:
    out = subprocess.run(
        ["xprop", "-id", str(win_id), "WM_NORMAL_HINTS"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    found = re.search(r"minimum size: (\d+) by (\d+)", out)
    return [int(found[1]), int(found[2])] if found else None


def _x_geometry(win_id: int) -> list[int]:
    out = subprocess.run(
        ["xwininfo", "-id", str(win_id)], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    width = re.search(r"Width: (\d+)", out)
    height = re.search(r"Height: (\d+)", out)
    assert width is not None and height is not None, out
    return [int(width[1]), int(height[1])]


def main() -> int:
    sys.path.insert(0, str(ROOT))  # scripts.screenshots: the demo data of the screenshots
    from PySide6.QtCore import QCoreApplication, QPoint, QRect
    from PySide6.QtWidgets import QApplication, QPushButton, QWidget

    from counter_app.bootstrap import build_services
    from counter_app.domain.clock import VN_TZ
    from counter_app.services.common.clock import DrillClock
    from counter_app.ui.qt.fonts import load_app_fonts
    from counter_app.ui.qt.task_runner import TaskRunner
    from counter_app.ui.shell.main_window import MainWindow
    from scripts.screenshots import seed

    app = QApplication([sys.argv[0]])
    load_app_fonts(app)

    def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
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

    report: dict[str, Any] = {"platform": QApplication.platformName(), "screens": {}}
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(Path(tmp) / "demo.db", DrillClock(datetime(2026, 3, 2, 9, 30, tzinfo=VN_TZ)))
        services.setup.ensure_demo_profile()
        services.context.clerk = services.context.settings().clerk_name
        seed(services)
        runner = TaskRunner()
        window = MainWindow(runner, open_documents=False)
        window.resize(*SIZES[0])
        window.show()
        window.set_services(services)
        wait_until(lambda: window.catalogue is not None and window.model.rowCount() > 0)
        win_id = int(window.winId())

        def look(
            name: str, buttons: Callable[[], Sequence[QPushButton]], form: Callable[[], dict[str, Any]] | None = None
        ) -> None:
            """At each size: the WM hints, the geometry, and each visible button's place."""
            shots = []
            for width, height in SIZES:
                window.resize(width, height)
                settle()
                hint = window.minimumSizeHint()
                inside: dict[str, bool] = {}
                for button in buttons():
                    if not button.isVisible():
                        continue
                    rect = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
                    inside[button.text()] = window.rect().contains(rect)
                shots.append(
                    {
                        "asked": [width, height],
                        "x_min_size": _x_min_size(win_id),
                        "x_geometry": _x_geometry(win_id),
                        "qt_geometry": [window.width(), window.height()],
                        "min_size_hint": [hint.width(), hint.height()],
                        "buttons_inside": inside,
                        **(form() if form is not None else {}),
                    }
                )
            window.resize(*SIZES[0])
            settle(0.1)
            report["screens"][name] = shots

        intake = window.open_intake()
        assert intake is not None
        wait_until(lambda: intake.picker.procedure() is not None)
        wait_until(lambda: "2026" in intake.due_label.text())
        intake.filer_box.setChecked(True)  # the complete form: the filer group unfolded

        def form_in_view() -> dict[str, Any]:
            scroll = intake.form_scroll
            viewport = scroll.viewport()
            fields: list[QWidget] = [*intake.lines.values(), intake.reason, intake.papers, intake.due_label]
            hidden = [
                w.objectName() or type(w).__name__
                for w in fields
                if not viewport.rect().contains(QRect(w.mapTo(viewport, QPoint(0, 0)), w.size()))
            ]
            return {"scroll_range": scroll.verticalScrollBar().maximum(), "fields_out_of_view": hidden}

        look(
            "intake",
            lambda: [intake.clear_button, intake.refuse_button, intake.supplement_button, intake.accept_button],
            form_in_view,
        )
        intake.filer_box.setChecked(False)

        intake.lines["identifier"].setText("079190012345")
        intake.accept_dossier()
        wait_until(intake.showing_confirmation)
        confirmation = intake.confirmation
        look("confirmation", lambda: [*confirmation.print_buttons, confirmation.new_button, confirmation.open_button])

        for name, applicant in (("dossier_result_ready", "Hoàng Thị Ẩn"), ("dossier_received", "Trần Văn Ổn")):
            before = set(window.dossier_tabs)
            window.open_dossier(services.dossiers.find(applicant)[0].uuid)
            wait_until(lambda before=before: set(window.dossier_tabs) - before != set())
            screen = window.dossier_tabs[(set(window.dossier_tabs) - before).pop()]
            wait_until(lambda screen=screen: screen.bundle() is not None)

            def dossier_buttons(screen: QWidget = screen) -> list[QPushButton]:
                return [*screen.action_buttons.values(), *screen.print_buttons.values()]  # type: ignore[attr-defined]

            look(name, dossier_buttons)

        window.close()
        runner.wait_for_workers()
        settle(0.1)
        services.close()
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
