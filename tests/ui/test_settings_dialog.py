"""The settings dialog: the agency's fixed part shown read-only; office hours changed move a new due date; every
setting a clerk's desk or the IT officer needs, in its tab, set by an administrator and refused to a clerk."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QMessageBox, QWidget
from ui.ui_support import AGENCY, person_form, type_text

from counter_app.bootstrap import Services
from counter_app.domain.clock import VN_TZ
from counter_app.services.common.settings import SETTING_LABELS, SETTING_NAMES
from counter_app.services.syncing.credential_store import SyncCredentialStore
from counter_app.ui.admin.settings_dialog import SettingsDialog
from counter_app.ui.shell.main_window import MainWindow


def _open(qtbot: Any, window: MainWindow) -> SettingsDialog:
    assert window.settings_action.isEnabled()
    dialog = window.open_settings()
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=5000)
    return dialog


def test_office_hours_change_moves_the_due_date(
    qtbot: Any, window: MainWindow, services: Services, task_errors: list[Any]
) -> None:
    dialog = _open(qtbot, window)
    assert AGENCY in dialog.fixed_labels["agency"].text()
    assert dialog.fixed_labels["counter"].text() == "1"
    assert "agency_code" not in dialog.edits and "counter" not in dialog.edits
    assert dialog.edits["office_hours"].text() == "07:30-11:30,13:00-17:00"
    dialog.edits["office_hours"].setText("07:30-11:30,13:00-16:30")
    with qtbot.waitSignal(dialog.sig_saved, timeout=5000):
        dialog.save()
    assert services.context.settings().office_hours == "07:30-11:30,13:00-16:30"
    # received Monday 02/03/2026 09:00, 5 working days: Monday 09/03/2026 at the new closing time
    result = services.intake.accept(person_form())
    assert result.due == datetime(2026, 3, 9, 16, 30, tzinfo=VN_TZ)
    assert task_errors == []


def test_bad_office_hours_are_shown_and_nothing_is_saved(qtbot: Any, window: MainWindow, services: Services) -> None:
    dialog = _open(qtbot, window)
    dialog.edits["head_name"].setText("Lê Thị Cúc")
    dialog.edits["office_hours"].setText("07:30-25:00")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.errors.message("office_hours") != "", timeout=5000)
    assert dialog.isVisible()
    settings = services.context.settings()
    assert (settings.office_hours, settings.head_name) == ("07:30-11:30,13:00-17:00", "")


def test_a_database_address_is_refused_at_its_field(qtbot: Any, window: MainWindow, services: Services) -> None:
    # issue 18: a counter syncs only through the city's sync service, never as a PostgreSQL login
    dialog = _open(qtbot, window)
    assert not [e for e in dialog.findChildren(QLineEdit) if "mật khẩu" in e.placeholderText().lower()]
    dialog.edits["head_name"].setText("Lê Thị Cúc")
    _tab(dialog, "Đồng bộ")
    _retype(dialog.edits["central_url"], "postgresql://quay_h29_1@127.0.0.1:5432/trung_tam")
    dialog.tabs.setCurrentIndex(0)
    _click_save(qtbot, dialog)
    message = dialog.errors.message("central_url")
    assert "dịch vụ đồng bộ của thành phố" in message and "https://" in message
    assert "thông tin xác thực do quản trị viên cấp" in message
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Đồng bộ"
    assert dialog.isVisible() and dialog.save_button.isEnabled()  # corrected in place, not closed
    settings = services.context.settings()
    assert (settings.central_url, settings.head_name) == ("", "")  # nothing at all is saved


def test_settings_are_closed_to_a_clerk(qtbot: Any, window: MainWindow, services: Services) -> None:
    # domain/roles: only an administrator changes the settings; a clerk may still sync
    services.accounts.add_user("quantri", "admin", "Quan-tri-2026!")
    services.accounts.sign_in("quantri", "Quan-tri-2026!")
    services.accounts.add_user("canbo", "clerk", "Can-bo-2026!")
    services.accounts.sign_in("canbo", "Can-bo-2026!")
    window.apply_session()
    qtbot.waitUntil(lambda: not window.settings_action.isEnabled(), timeout=5000)
    qtbot.waitUntil(window.sync_panel.action.isEnabled, timeout=5000)
    services.accounts.sign_in("quantri", "Quan-tri-2026!")
    window.apply_session()
    qtbot.waitUntil(window.settings_action.isEnabled, timeout=5000)


# ---- issue 17 item 7: every setting in its tab, under its Vietnamese name ----

CREDENTIAL = "cc1." + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kL9nP2rS5uX8"


def _as_admin(qtbot: Any, window: MainWindow, services: Services) -> SettingsDialog:
    services.accounts.add_user("quantri", "admin", "Quan-tri-2026!")
    services.accounts.sign_in("quantri", "Quan-tri-2026!")
    window.apply_session()
    qtbot.waitUntil(window.settings_action.isEnabled, timeout=5000)
    return _open(qtbot, window)


def _tab(dialog: SettingsDialog, title: str) -> None:
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    dialog.tabs.setCurrentIndex(titles.index(title))


def _choose(combo: QComboBox, value: str) -> None:
    """Pick an item of a combo box with the arrow keys, as a clerk does from the keyboard."""
    combo.setFocus()
    target = combo.findData(value)
    assert target >= 0, value
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        QTest.keyClick(combo, key)


def _retype(edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    type_text(edit, text)


def _click_save(qtbot: Any, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_an_administrator_sets_every_group_in_the_window(
    qtbot: Any, window: MainWindow, services: Services, tmp_path: Path, task_errors: list[Any]
) -> None:
    services.settings.remember_printer("refusal", "HP-LaserJet-Phong")  # remembered at an earlier print
    dialog = _as_admin(qtbot, window, services)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "Đơn vị và quầy", "Giấy tờ in", "Máy quét", "Đồng bộ", "Sao lưu",
    ]  # fmt: skip
    _tab(dialog, "Giấy tờ in")
    _choose(cast(QComboBox, dialog.widgets["page_size"]), "A5")
    _retype(dialog.edits["contact_phone"], "028 3829 1234")
    assert dialog.printers["printer_slip"].currentData() == "HP-LaserJet-Phong"
    _choose(dialog.printers["printer_slip"], "")  # back to the system's default printer
    _tab(dialog, "Máy quét")
    _retype(dialog.edits["scanner_device"], "escl:https://192.168.1.20:443")
    _choose(cast(QComboBox, dialog.widgets["scan_source"]), "flatbed")
    _choose(cast(QComboBox, dialog.widgets["scan_mode"]), "Color")
    _retype(dialog.edits["scan_resolution"], "300")
    _retype(dialog.edits["code_scanner_port"], "/dev/ttyACM0")
    _choose(cast(QComboBox, dialog.widgets["code_scanner_baud"]), "115200")
    _retype(dialog.edits["wedge_max_gap_ms"], "40")
    _retype(dialog.edits["wedge_suffix"], "#")
    _tab(dialog, "Đồng bộ")
    _retype(dialog.edits["central_url"], "https://dongbo.tphcm.gov.vn:8443")
    _retype(dialog.edits["central_ca_file"], str(tmp_path / "goc-thanh-pho.pem"))
    _tab(dialog, "Sao lưu")
    _retype(dialog.edits["backup_dir"], str(tmp_path / "sao-lưu"))
    _retype(dialog.edits["backup_keep"], "30")
    _retype(dialog.edits["backup_second_dir"], str(tmp_path / "usb"))
    with qtbot.waitSignal(dialog.sig_saved, timeout=5000):
        _click_save(qtbot, dialog)
    settings = services.settings.current()
    assert (settings.page_size, settings.contact_phone) == ("A5", "028 3829 1234")
    assert services.settings.printer_for("refusal") == ""
    assert (settings.scanner_device, settings.scan_source, settings.scan_mode, settings.scan_resolution) == (
        "escl:https://192.168.1.20:443", "flatbed", "Color", 300,
    )  # fmt: skip
    assert (settings.code_scanner_port, settings.code_scanner_baud) == ("/dev/ttyACM0", 115200)
    assert (settings.wedge_max_gap_ms, settings.wedge_suffix) == (40, "#")
    assert settings.central_url == "https://dongbo.tphcm.gov.vn:8443"
    assert settings.central_ca_file == str(tmp_path / "goc-thanh-pho.pem")
    assert (settings.backup_dir, settings.backup_keep) == (str(tmp_path / "sao-lưu"), 30)
    assert settings.backup_second_dir == str(tmp_path / "usb")
    assert task_errors == []


def test_refusals_are_shown_at_their_field_in_vietnamese(qtbot: Any, window: MainWindow, services: Services) -> None:
    dialog = _as_admin(qtbot, window, services)
    _tab(dialog, "Giấy tờ in")
    _retype(dialog.edits["contact_phone"], "028 3829 1234")
    _tab(dialog, "Sao lưu")
    _retype(dialog.edits["backup_keep"], "0")
    dialog.edits["wedge_max_gap_ms"].setText("200")
    _click_save(qtbot, dialog)
    # the first refused setting is shown under its field, on its tab; nothing at all is saved
    qtbot.waitUntil(lambda: dialog.errors.message("wedge_max_gap_ms") != "", timeout=5000)
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Máy quét"
    assert "từ 5 đến 45 ms" in dialog.errors.message("wedge_max_gap_ms")
    dialog.edits["wedge_max_gap_ms"].setText("30")
    _click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.errors.message("backup_keep") != "", timeout=5000)
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Sao lưu"
    assert dialog.errors.message("backup_keep") == "Cần giữ lại ít nhất 1 bản sao lưu."
    _retype(dialog.edits["backup_keep"], "mười")
    _click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: "số nguyên" in dialog.errors.message("backup_keep"), timeout=5000)
    assert "“Số bản sao lưu giữ lại”" in dialog.errors.message("backup_keep")
    _retype(dialog.edits["backup_keep"], "14")
    dialog.edits["central_url"].setText("ftp://dongbo.tphcm.gov.vn")
    _click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.errors.message("central_url") != "", timeout=5000)
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Đồng bộ"
    dialog.edits["central_url"].setText("https://dongbo.tphcm.gov.vn")
    dialog.credential_edit.setText("mat-khau-thuong")
    _click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: "cc1." in dialog.errors.message("sync_credential"), timeout=5000)
    messages = [dialog.errors.message(key) for key in dialog.errors.keys()]  # noqa: SIM118 (not a dict)
    assert not any(re.search(rf"(?<![\w.-]){key}(?![\w-])", m) for m in messages for key in SETTING_NAMES)
    settings = services.settings.current()
    assert (settings.contact_phone, settings.backup_keep, settings.central_url) == ("", 14, "")
    assert services.settings.get_snapshot().credential_kept is False


def test_a_new_sync_credential_is_kept_and_never_shown(qtbot: Any, window: MainWindow, services: Services) -> None:
    dialog = _as_admin(qtbot, window, services)
    _tab(dialog, "Đồng bộ")
    assert "chưa có" in dialog.credential_state.text()
    dialog.credential_edit.setFocus()
    type_text(dialog.credential_edit, CREDENTIAL)  # pasted from the central's add-counter output
    assert dialog.credential_edit.echoMode() == QLineEdit.EchoMode.Password
    with qtbot.waitSignal(dialog.sig_saved, timeout=5000):
        _click_save(qtbot, dialog)
    settings = services.settings.current()
    store = SyncCredentialStore(services.context.data_dir, services.context.vault)
    assert store.load(settings.agency_code, settings.counter) == CREDENTIAL
    again = _open(qtbot, window)
    _tab(again, "Đồng bộ")
    assert "đã lưu" in again.credential_state.text()
    assert again.credential_edit.text() == ""
    texts = [w.text() for w in again.findChildren(QLabel)] + [w.text() for w in again.findChildren(QLineEdit)]
    assert not any(CREDENTIAL in text for text in texts)


def test_a_clerk_may_not_change_settings(qtbot: Any, window: MainWindow, services: Services) -> None:
    # domain/roles: Permission.SETTINGS is the administrator's; a clerk's printer is remembered when printing
    dialog = _as_admin(qtbot, window, services)
    services.accounts.add_user("canbo", "clerk", "Can-bo-2026!")
    services.accounts.sign_in("canbo", "Can-bo-2026!")  # the administrator left the dialog open
    _tab(dialog, "Giấy tờ in")
    _retype(dialog.edits["contact_phone"], "028 3829 1234")
    dialog.credential_edit.setText(CREDENTIAL)
    _click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox, "errorBox") is not None, timeout=5000)
    box = dialog.findChild(QMessageBox, "errorBox")
    assert "cán bộ tiếp nhận không được thay đổi thiết lập của quầy" in box.text()
    assert dialog.isVisible()
    box.close()
    window.apply_session()
    qtbot.waitUntil(lambda: not window.settings_action.isEnabled(), timeout=5000)
    assert services.settings.current().contact_phone == ""
    assert services.settings.get_snapshot().credential_kept is False


def test_every_setting_shown_has_its_name_never_its_key(qtbot: Any, window: MainWindow, services: Services) -> None:
    dialog = _open(qtbot, window)
    texts = [dialog.windowTitle()] + [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    for widget in dialog.findChildren(QWidget):  # every tab, shown or not
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts += [widget.placeholderText(), widget.accessibleName()]
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())] + [widget.accessibleName()]
        texts.append(widget.toolTip())
    joined = "\n".join(texts)
    assert [key for key in SETTING_NAMES if re.search(rf"(?<![\w.-]){key}(?![\w-])", joined)] == []
    for key in ("contact_phone", "page_size", "printer_receipt", "scanner_device", "central_url", "backup_dir"):
        assert SETTING_LABELS[key] in texts
    assert set(dialog.widgets) <= set(SETTING_LABELS)
    size = dialog.sizeHint()  # the fullest tab fits a 1366×728 desk screen
    assert size.width() <= 1366 and size.height() <= 728, size
