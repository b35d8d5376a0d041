"""run_app: the window is shown first, the services arrive from the worker, the demo profile is set up."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

import counter_app.app as app_module
from counter_app.domain.clock import VN_TZ
from counter_app.services.common.clock import DrillClock


def test_choose_database_like_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COUNTER_APP_DB", raising=False)
    monkeypatch.delenv("COUNTER_APP_NOW", raising=False)
    args = argparse.Namespace(db=str(tmp_path / "x.db"), now="2026-03-02 09:00", demo=False, json=False)
    path, clock = app_module.choose_database(args)
    assert path == tmp_path / "x.db"
    assert isinstance(clock, DrillClock)
    assert clock.now().astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") == "02/03/2026 09:00"
    monkeypatch.setenv("COUNTER_APP_DB", str(tmp_path / "env.db"))
    path, _clock = app_module.choose_database(argparse.Namespace(db=None, now=None, demo=True, json=False))
    assert path == tmp_path / "env.db"


def test_start_app_demo(qtbot: Any, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(app_module, "log_dir", lambda: tmp_path / "logs")
    args = argparse.Namespace(db=str(tmp_path / "demo.db"), now="2026-03-02 09:00", demo=True, json=False, command=None)
    running = app_module.start_app(args)
    window = running.window
    qtbot.addWidget(window)
    try:
        # the window is on screen before the services exist (they are built in the worker)
        assert window.isVisible()
        assert window.services is None
        assert window.db_label.text() == "CSDL cục bộ: đang mở…"
        qtbot.waitUntil(lambda: window.counter_label.text().startswith("Quầy 1"), timeout=20_000)
        assert window.counter_label.text() == "Quầy 1 – Trung tâm Phục vụ hành chính công phường Minh Họa"
        assert window.clerk_label.text() == "Cán bộ: Cán bộ minh họa"
        assert window.services.context.clerk == "Cán bộ minh họa"  # events record who was at the counter
        assert window.date_label.text() == "Hôm nay: 02/03/2026"
        assert QApplication.font().family() == "Noto Sans"
        assert (tmp_path / "demo.db").exists()
    finally:
        app_module.stop_app(running)
        running.scanner.deleteLater()
        running.runner.deleteLater()
