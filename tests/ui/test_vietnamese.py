"""Vietnamese everywhere: Qt's standard buttons, the calendar, the error box and the settings screen (issue 16.7)."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton,
    QCalendarWidget,
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QTextEdit,
    QToolButton,
    QWidget,
)

from counter_app.errors import RuleError
from counter_app.services.common.settings import SETTING_NAMES
from counter_app.ui.admin.settings_dialog import SettingsDialog
from counter_app.ui.shell.main_window import MainWindow
from counter_app.ui.widgets.errors import show_error

ENGLISH = {
    "OK", "Cancel", "Yes", "No", "Close", "Save", "Apply", "Retry", "Abort", "Ignore", "Open", "Discard", "Help",
    "Reset", "Restore Defaults", "Save All", "Yes to All", "No to All", "Show Details...", "Hide Details...",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday",
}  # fmt: skip


def visible_texts(top: QWidget) -> list[str]:
    """Every text the clerk can see in `top` (mnemonic ampersands taken off)."""
    texts = [top.windowTitle()]
    for widget in [top, *top.findChildren(QWidget)]:
        if widget is not top and not widget.isVisibleTo(top):
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        elif isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        elif isinstance(widget, QTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QToolButton) and widget.menu() is not None:
            texts += [action.text() for action in widget.menu().actions()]
        if isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            texts += [str(model.index(0, column).data() or "") for column in range(model.columnCount())]
    return [text.replace("&", "") for text in texts if text]


def assert_vietnamese(texts: list[str]) -> None:
    english = [text for text in texts if text in ENGLISH or text.rstrip("…") in ENGLISH]
    assert english == [], english


def test_standard_buttons_calendar_and_error_box_speak_vietnamese(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Xác nhận",
        "Lưu thay đổi?",
        QMessageBox.StandardButton.Ok
        | QMessageBox.StandardButton.Cancel
        | QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.No
        | QMessageBox.StandardButton.Close
        | QMessageBox.StandardButton.Retry,
        parent,
    )
    box.setDetailedText("chi tiết")
    box.open()
    box_texts = visible_texts(box)
    assert_vietnamese(box_texts)
    assert {"Đồng ý", "Hủy", "Có", "Không", "Đóng", "Thử lại", "Xem chi tiết…"} <= set(box_texts)
    box.close()

    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save
        | QDialogButtonBox.StandardButton.Apply
        | QDialogButtonBox.StandardButton.Cancel
    )
    qtbot.addWidget(buttons)
    buttons.show()
    assert_vietnamese(visible_texts(buttons))
    assert sorted(button.text() for button in buttons.buttons()) == sorted(["Lưu", "Áp dụng", "Hủy"])

    calendar = QCalendarWidget()
    qtbot.addWidget(calendar)
    calendar.show()
    calendar_texts = visible_texts(calendar)
    assert_vietnamese(calendar_texts)
    assert "tháng 3" in " ".join(calendar_texts).lower()

    error = RuleError("Hồ sơ đã trả kết quả, không thể chuyển xử lý.", detail="state=returned")
    error_box = show_error(parent, error)
    qtbot.waitUntil(error_box.isVisible)
    error_texts = visible_texts(error_box)
    assert_vietnamese(error_texts)
    assert not [text for text in error_texts if "RuleError" in text or "counter_app." in text], error_texts
    assert "Hồ sơ đã trả kết quả, không thể chuyển xử lý." in error_texts
    assert "counter_app.errors.RuleError" in error_box.detailedText()  # only behind "Xem chi tiết…"
    error_box.close()


def test_settings_show_names_never_keys(qtbot: Any, window: MainWindow) -> None:
    dialog = window.open_settings()
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=5000)
    texts = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    for index in range(dialog.tabs.count()):  # every tab in turn, as the clerk opens them
        dialog.tabs.setCurrentIndex(index)
        texts += visible_texts(dialog)
    assert_vietnamese(texts)
    keys = [key for key in SETTING_NAMES if re.search(rf"\b{key}\b", "\n".join(texts))]
    assert keys == []
    assert "Máy quét giấy tờ của quầy" in texts  # the setting a scan asks for once, now with its name
    dialog.close()
