"""Start-up: the window's frame is shown before the services and their libraries; the rest follows the first paint."""

from __future__ import annotations

import argparse
import gc
import logging
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from ui.ui_support import settle

import counter_app.app as app_module
from counter_app.bootstrap import Services
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.queue.dossier_table_model import DossierTableModel
from counter_app.ui.shell.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code`."""
    script = textwrap.dedent(code) + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    return set(result.stdout.split())


def test_the_window_module_does_not_import_the_services_or_heavy_libraries() -> None:
    loaded = modules_after("import counter_app.app")
    for heavy in ("sqlalchemy", "alembic", "reportlab", "openpyxl", "holidays", "psycopg", "PySide6.QtPdf"):
        assert heavy not in loaded, heavy
    assert not {m for m in loaded if m.startswith("counter_app.services") or m.startswith("counter_app.domain.")}


def test_services_import_only_what_a_start_needs() -> None:
    loaded = modules_after("import counter_app.bootstrap")
    assert "sqlalchemy" in loaded  # the queue needs it
    for later in ("alembic", "reportlab", "openpyxl", "cryptography", "counter_app.services.reports.period_reports"):
        assert later not in loaded, later


def test_lazy_services_are_built_once_on_first_use(services: Services) -> None:
    assert "reports" not in vars(services)
    reports = services.reports
    assert services.reports is reports
    assert vars(services)["reports"] is reports
    built: list[object] = []
    barrier = threading.Barrier(4)

    def ask() -> None:
        barrier.wait()
        built.append(services.attachments)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(b) for b in built}) == 1  # four threads at once, one service


def test_frame_first_then_panels_with_the_services(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    window = MainWindow(runner, open_documents=False)
    qtbot.addWidget(window)
    window.show()
    # the frame: no item model on the table, a waiting hint over it, no panels, no shortcuts yet
    assert window.table.model() is None
    assert window.catalogue is None and window.calendar is None and window.late_panel is None
    assert window.workspace.count() == 1
    assert window.workspace.tabText(0) == "Danh sách hồ sơ"
    assert window.queue_title.text() == "Đang mở cơ sở dữ liệu…"
    assert not window.intake_action.isEnabled()
    assert window.intake_action.shortcut().isEmpty()
    with qtbot.waitSignal(window.sig_services_ready, timeout=10_000):
        window.set_services(services)
    assert isinstance(window.table.model(), DossierTableModel)
    assert window.table.columnWidth(0) > 100
    assert [window.workspace.tabText(i) for i in range(window.workspace.count())] == [
        "Danh sách hồ sơ",
        "Hồ sơ cần xin lỗi",
        "Danh mục thủ tục",
        "Lịch làm việc",
        "Thống kê",
        "Sao lưu dữ liệu",
        "Tài khoản",
        "Nhật ký thao tác",
    ]
    assert window.late_panel is not None and window.workspace.indexOf(window.late_panel) >= 0  # a place, not a dock
    assert window.intake_action.isEnabled()
    assert window.intake_action.shortcut().toString() == "F2"
    qtbot.waitUntil(lambda: not window.model.loading)


def test_after_first_paint_runs_once_after_the_paint(qtbot: Any) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    calls: list[bool] = []
    app_module.AfterFirstPaint(widget, lambda: calls.append(widget.isVisible()), fallback_ms=60_000)
    assert calls == []
    widget.show()
    qtbot.waitUntil(lambda: calls == [True])
    widget.repaint()  # a second paint, delivered now; the call it could trigger would come from a zero timer
    settle(qtbot)
    assert calls == [True]


def test_after_first_paint_falls_back_when_never_painted(qtbot: Any) -> None:
    widget = QWidget()  # never shown: a window started minimised is not painted either
    qtbot.addWidget(widget)
    calls: list[str] = []
    app_module.AfterFirstPaint(widget, lambda: calls.append("rest"), fallback_ms=50)
    qtbot.waitUntil(lambda: calls == ["rest"], timeout=2000)


def test_start_app_shows_the_window_then_starts_the_rest(
    qtbot: Any, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ui_thread_gc: Any
) -> None:
    ui_thread_gc.stop()  # the application installs its own
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(app_module, "log_dir", lambda: tmp_path / "logs")
    switch, thresholds = sys.getswitchinterval(), gc.get_threshold()
    args = argparse.Namespace(db=str(tmp_path / "c.db"), now="2026-03-02 09:00", demo=True, json=False, command=None)
    running = app_module.start_app(args)
    qtbot.addWidget(running.window)
    try:
        assert running.window.isVisible()
        assert running.collector.active and not gc.isenabled()  # cycles are collected on this thread only
        assert running.scanner is None and running.session is None  # not before the first paint
        assert sys.getswitchinterval() == pytest.approx(app_module.SWITCH_INTERVAL_S)
        qtbot.waitUntil(lambda: running.scanner is not None, timeout=5000)
        qtbot.waitUntil(lambda: running.window.late_panel is not None, timeout=30_000)  # built with the services
        assert running.window.services is not None
        assert getattr(logging.getLogger(), "_counter_app_configured", False)  # once per process, by start_rest
        qtbot.waitUntil(lambda: gc.get_freeze_count() > 0)  # the start-up's objects, out of the collector's sight
    finally:
        sys.setswitchinterval(switch)
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        app_module.stop_app(running)
        assert gc.isenabled() and not running.collector.active
        if running.scanner is not None:
            running.scanner.deleteLater()
        running.runner.deleteLater()


def test_a_window_start_skips_the_command_lines_parser() -> None:
    from counter_app.__main__ import _window_args

    assert _window_args([]) == {
        "db": None,
        "now": None,
        "user": None,
        "demo": False,
        "json": False,
        "password_stdin": False,
        "command": None,
    }
    window = _window_args(["--db", "c.db", "--now=2026-03-02 09:00", "--demo"])
    assert window is not None
    assert (window["db"], window["now"], window["demo"]) == ("c.db", "2026-03-02 09:00", True)
    for command_line in (["find", "Lan"], ["--help"], ["--version"], ["--db"], ["--db", "--demo"], ["--colour"]):
        assert _window_args(command_line) is None, command_line  # the full parser answers these


def test_the_window_start_does_not_import_the_command_line() -> None:
    loaded = modules_after(
        "import counter_app.app as a\n"
        "a.run_app = lambda args: 0\n"
        "from counter_app.__main__ import main\n"
        "assert main(['--db', 'x.db']) == 0\n"
    )
    assert "counter_app.cli" not in loaded
