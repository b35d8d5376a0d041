"""A calm start (issue 16.8): late cases, unsent events and a backup that cannot run are in one summary over the
queue, and the message line; no box takes the focus at start, not even for a damaged database (a red row that
stays)."""

from __future__ import annotations

import argparse
import gc
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from backup.backup_support import corrupt_middle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from ui.ui_support import open_services, person_form, settle

import counter_app.app as app_module
from counter_app.domain.clock import VN_TZ

XNHN = "DEMO.XNHN"  # 3 working days (demo catalogue)


def _database_with_a_late_case(path: Path) -> None:
    services = open_services(path)
    try:
        # received Mon 23/02/2026 10:00, due Thu 26/02: overdue on Mon 02/03 09:00, no apology yet
        received = datetime(2026, 2, 23, 10, 0, tzinfo=VN_TZ)
        code = services.intake.accept(person_form(XNHN, received_at=received)).code
        assert code is not None
        services.dossiers.transfer(code)
    finally:
        services.close()


def test_start_shows_one_summary_and_no_box(
    qtbot: Any, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ui_thread_gc: Any
) -> None:
    _database_with_a_late_case(tmp_path / "c.db")
    ui_thread_gc.stop()  # the application installs its own
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(app_module, "log_dir", lambda: tmp_path / "logs")
    monkeypatch.setattr(app_module, "MAINTENANCE_DELAY_MS", 0)  # the backup is tried at once
    # the keyring is the "no keyring" backend (tests/conftest.py): the automatic backup cannot run
    switch, thresholds = sys.getswitchinterval(), gc.get_threshold()
    args = argparse.Namespace(db=str(tmp_path / "c.db"), now="2026-03-02 09:00", demo=False, json=False, command=None)
    running = app_module.start_app(args)
    window = running.window
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: running.maintenance is not None, timeout=5000)
        assert running.maintenance is not None
        with qtbot.waitSignal(running.maintenance.sig_backup_failed, timeout=30_000):
            pass
        qtbot.waitUntil(lambda: window.late_panel is not None and window.late_panel.views() != [], timeout=10_000)
        settle(qtbot, running.runner)  # the start-up's work has finished: the late list, the sync state, the backup
        assert QApplication.activeModalWidget() is None
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        assert boxes == []
        summary = window.startup_summary
        assert summary.isVisible()
        assert summary.late == (1, 1)
        assert summary.unsynced is not None and summary.unsynced > 0
        text = summary.texts()
        assert "Cần lập phiếu xin lỗi hôm nay: 1 hồ sơ (quá hạn: 1)" in text
        assert f"Chưa gửi lên máy chủ trung tâm: {summary.unsynced}" in text
        assert "chưa sao lưu được" in text and "kho khóa" in text
        assert "kho khóa" in window.message_line.currentMessage()  # for the administrator
        qtbot.mouseClick(summary.open_late_button, Qt.MouseButton.LeftButton)
        assert window.workspace.currentWidget() is window.late_panel
    finally:
        sys.setswitchinterval(switch)
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        app_module.stop_app(running)
        if running.scanner is not None:
            running.scanner.deleteLater()
        running.runner.deleteLater()


def test_a_damaged_database_at_start_is_a_red_row_and_no_box(
    qtbot: Any, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ui_thread_gc: Any
) -> None:
    db = tmp_path / "c.db"
    _database_with_a_late_case(db)
    corrupt_middle(db, pages=3)
    ui_thread_gc.stop()  # the application installs its own
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(app_module, "log_dir", lambda: tmp_path / "logs")
    monkeypatch.setattr(app_module, "MAINTENANCE_DELAY_MS", 0)
    switch, thresholds = sys.getswitchinterval(), gc.get_threshold()
    args = argparse.Namespace(db=str(db), now="2026-03-02 09:00", demo=False, json=False, command=None)
    running = app_module.start_app(args)
    window = running.window
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: running.maintenance is not None, timeout=5000)
        assert running.maintenance is not None
        qtbot.waitUntil(
            lambda: running.maintenance is not None and running.maintenance.damage is not None, timeout=30_000
        )
        settle(qtbot, running.runner)
        # serious, but no box takes the focus: a red row that stays, and the message line
        assert QApplication.activeModalWidget() is None
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        assert boxes == []
        summary = window.startup_summary
        assert summary.isVisible() and summary.damage_label.isVisible()
        assert not summary.hide_button.isVisible()  # it cannot be hidden
        assert "Cơ sở dữ liệu bị hỏng" in summary.texts() and "Cách phục hồi: 1." in summary.texts()
        assert "trang “Sao lưu”" in summary.damage_label.text()  # where the administrator acts
        assert summary.damage_label.styleSheet().count("#b00020") >= 1
        assert "Cơ sở dữ liệu bị hỏng" in window.message_line.currentMessage()
    finally:
        sys.setswitchinterval(switch)
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        app_module.stop_app(running)
        if running.scanner is not None:
            running.scanner.deleteLater()
        running.runner.deleteLater()
