"""The error presenter and global hook; the barcode widget read back by a real decoder (zbarimg)."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from counter_app.errors import FormInvalid, RuleError
from counter_app.ui.widgets.barcode_widget import BarcodeWidget
from counter_app.ui.widgets.errors import install_exception_hook, show_error


def test_counter_error_shows_its_message_and_detail(qtbot: Any) -> None:
    box = show_error(None, RuleError("Hồ sơ đã kết thúc, không thể chuyển xử lý.", detail="stage=returned"))
    qtbot.addWidget(box)
    assert box.text() == "Hồ sơ đã kết thúc, không thể chuyển xử lý."
    assert "RuleError" in box.detailedText()
    assert "stage=returned" in box.detailedText()
    assert box.icon() == QMessageBox.Icon.Warning


def test_unexpected_error_shows_a_generic_message_and_the_trace(qtbot: Any) -> None:
    try:
        {}["missing"]
    except KeyError as exc:
        box = show_error(None, exc)
    qtbot.addWidget(box)
    assert "không mong đợi" in box.text()
    assert "missing" not in box.text()  # technical text stays in the expandable part
    assert "Traceback" in box.detailedText() and "KeyError" in box.detailedText()
    assert box.icon() == QMessageBox.Icon.Critical


def test_form_errors_are_listed(qtbot: Any) -> None:
    box = show_error(None, FormInvalid({"name": "Chưa nhập họ và tên.", "phone": "Số điện thoại không hợp lệ."}))
    qtbot.addWidget(box)
    assert "• Chưa nhập họ và tên." in box.text()
    assert "• Số điện thoại không hợp lệ." in box.text()


def test_global_hook_logs_and_shows(qtbot: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_exception_hook()
    with caplog.at_level(logging.CRITICAL):
        try:
            raise ZeroDivisionError("boom")
        except ZeroDivisionError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    assert any("ZeroDivisionError" in r.getMessage() for r in caplog.records)
    boxes = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and "ZeroDivisionError" in w.detailedText()
    ]
    assert len(boxes) == 1
    qtbot.addWidget(boxes[0])
    assert "không mong đợi" in boxes[0].text()


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools not installed")
def test_barcode_widget_scans_back(qtbot: Any, tmp_path: Path) -> None:
    code = "000.00.99.H29-260302-1001"
    widget = BarcodeWidget()
    qtbot.addWidget(widget)
    widget.set_value(code)
    widget.resize(widget.sizeHint())
    widget.show()
    image = tmp_path / "barcode.png"
    assert widget.grab().scaled(widget.width() * 2, widget.height() * 3).save(str(image))
    out = subprocess.run(
        ["zbarimg", "--nodbus", "-q", "--raw", str(image)], capture_output=True, text=True, check=False, timeout=30
    )
    assert out.stdout.strip() == code


def test_barcode_widget_without_value_draws_nothing(qtbot: Any) -> None:
    widget = BarcodeWidget()
    qtbot.addWidget(widget)
    widget.set_value("")
    assert widget.sizeHint().width() == 0
    assert widget.modules() == ""
