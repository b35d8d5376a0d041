"""The "Sao lưu" place driven as an administrator does it: passphrase, backup now, restore; refused to the others."""

from __future__ import annotations

import logging
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget
from security.security_support import PASSWORDS, StepClock, open_counter, person_form, sign_in, staff

from counter_app.bootstrap import Services, build_services
from counter_app.errors import PermissionDenied, RuleError
from counter_app.ui.admin.backup_dialogs import MISMATCH
from counter_app.ui.admin.backups_panel import ADMIN_ONLY, COLUMNS, BackupsPanel
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow
from counter_app.ui.shell.maintenance_watch import MaintenanceWatcher
from counter_app.ui.shell.session import SessionGuard
from counter_app.ui.shell.startup_summary import StartupSummary

PASSPHRASE = "Mật khẩu sao lưu phường 7"


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = open_counter(tmp_path / "c.db", StepClock())
    yield services
    services.close()


@pytest.fixture
def runner(qapp: QApplication, services: Services) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    errors: list[Any] = []
    runner.error_presenter = errors.append
    yield runner
    runner.wait_for_workers()
    QApplication.processEvents()
    assert errors == []


def open_panel(qtbot: Any, services: Services, runner: TaskRunner) -> BackupsPanel:
    panel = BackupsPanel(runner)
    panel.restart = lambda: restarts.append(1)  # type: ignore[method-assign]
    qtbot.addWidget(panel)
    panel.set_services(services)
    with qtbot.waitSignal(panel.sig_loaded):
        panel.show()
    return panel


restarts: list[int] = []


def type_text(widget: QLineEdit, text: str) -> None:
    """One character at a time (keyClicks aborts on non-ASCII characters)."""
    widget.setFocus()
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def set_passphrase(qtbot: Any, panel: BackupsPanel, first: str, second: str) -> None:
    if panel.passphrase_dialog is None or not panel.passphrase_dialog.isVisible():
        qtbot.mouseClick(panel.passphrase_button, Qt.MouseButton.LeftButton)
    dialog = panel.passphrase_dialog
    assert dialog is not None
    dialog.first.clear()
    dialog.second.clear()
    type_text(dialog.first, first)
    type_text(dialog.second, second)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def read_after_backup(seen: list[tuple[str, Any]]) -> bool:
    kinds = [kind for kind, _ in seen]
    return "done" in kinds and "loaded" in kinds[kinds.index("done") :]


def back_up(qtbot: Any, panel: BackupsPanel) -> Any:
    """Click "Sao lưu ngay"; wait for the backup, then for the list read again after it."""
    seen: list[tuple[str, Any]] = []

    def done(result: Any) -> None:
        seen.append(("done", result))

    def loaded(overview: Any) -> None:
        seen.append(("loaded", overview))

    panel.sig_backup_done.connect(done)
    panel.sig_loaded.connect(loaded)
    try:
        qtbot.mouseClick(panel.backup_button, Qt.MouseButton.LeftButton)
        assert panel.progress.isVisible()
        assert not panel.backup_button.isEnabled()
        qtbot.waitUntil(lambda: read_after_backup(seen), timeout=30_000)
    finally:
        panel.sig_backup_done.disconnect(done)
        panel.sig_loaded.disconnect(loaded)
    assert not panel.progress.isVisible()
    return next(value for kind, value in seen if kind == "done")


def test_the_administrator_sets_the_passphrase_and_backs_up_on_a_pc_without_keyring(
    qtbot: Any, services: Services, runner: TaskRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    staff(services)
    sign_in(services, "quantri")
    panel = open_panel(qtbot, services, runner)
    assert "Chưa đặt mật khẩu sao lưu" in panel.status.text()
    assert panel.table.rowCount() == 0

    # no keyring here (tests/conftest.py) and no passphrase yet: the backup is refused with the reason
    qtbot.mouseClick(panel.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.result.text().startswith("Chưa sao lưu được"))
    assert services.backup.list_backups() == []

    set_passphrase(qtbot, panel, PASSPHRASE, PASSPHRASE + "x")
    dialog = panel.passphrase_dialog
    assert dialog is not None and dialog.message.text() == MISMATCH
    set_passphrase(qtbot, panel, "ngắn", "ngắn")
    assert panel.passphrase_dialog is dialog  # the same dialog, still open
    qtbot.waitUntil(lambda: dialog.message.text() != MISMATCH and dialog.isEnabled())
    assert "ít nhất" in dialog.message.text()
    assert not services.backup.overview().passphrase_set
    with qtbot.waitSignal(panel.sig_passphrase_set, timeout=30_000):
        set_passphrase(qtbot, panel, PASSPHRASE, PASSPHRASE)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: "Đã đặt mật khẩu sao lưu" in panel.status.text())
    assert panel.passphrase_button.text() == "Đổi mật khẩu sao lưu…"
    assert services.backup.overview().passphrase_set

    result = back_up(qtbot, panel)
    assert result.warnings == ()
    [listed] = services.backup.list_backups()
    assert listed.needs_passphrase and listed.path == result.info.path
    assert panel.table.item(0, 0).text() == listed.created.strftime("%d/%m/%Y %H:%M")
    assert panel.table.item(0, 2).text() == "Mật khẩu sao lưu"
    assert panel.table.item(0, 3).text() == "Chưa đặt nơi thứ hai"

    # the next day's automatic backup needs neither keyring nor passphrase
    clock = services.context.clock
    clock.advance(timedelta(days=1).total_seconds())  # type: ignore[attr-defined]
    automatic = services.backup.backup_if_due(clock.now())
    assert automatic is not None and automatic.info.needs_passphrase
    assert len(services.backup.list_backups()) == 2
    assert caplog.records and PASSPHRASE not in caplog.text  # never logged


def test_the_second_destination_warning_is_shown(
    qtbot: Any, services: Services, runner: TaskRunner, tmp_path: Path
) -> None:
    services.backup.set_recovery_passphrase(PASSPHRASE)
    unplugged = tmp_path / "usb-not-plugged"
    unplugged.write_text("a file where the folder should be")
    services.setup.set_setting("backup_second_dir", str(unplugged))
    panel = open_panel(qtbot, services, runner)
    result = back_up(qtbot, panel)
    assert result.warnings
    assert panel.warning.isVisible()
    assert result.warnings[0] in panel.warning.text()
    assert panel.table.item(0, 3).text() == "Không có"

    usb = tmp_path / "usb"
    usb.mkdir()
    services.setup.set_setting("backup_second_dir", str(usb))
    clean = back_up(qtbot, panel)
    assert clean.warnings == () and not panel.warning.isVisible()
    assert (usb / clean.info.path.name).is_file()
    assert panel.table.item(0, 3).text() == "Có"


def test_the_administrator_restores_a_backup_and_the_window_starts_again(
    qtbot: Any, services: Services, runner: TaskRunner
) -> None:
    staff(services)
    sign_in(services, "quantri")
    services.backup.set_recovery_passphrase(PASSPHRASE)
    services.backup.create_backup()
    services.context.clock.advance(60)  # type: ignore[attr-defined]
    sign_in(services, "canbo")
    after = services.intake.accept(person_form()).code  # taken in after the backup
    assert after is not None
    services.accounts.sign_out()
    sign_in(services, "quantri")
    panel = open_panel(qtbot, services, runner)
    restarts.clear()
    assert panel.restore_button.isEnabled()

    qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)
    dialog = panel.restore_dialog
    assert dialog is not None and "khởi động lại" in dialog.findChild(type(panel.status)).text()
    type_text(dialog.passphrase, "sai mật khẩu")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.isVisible() and dialog.isEnabled(), timeout=30_000)
    assert "Sai mật khẩu sao lưu" in dialog.message.text()

    dialog.passphrase.clear()
    type_text(dialog.passphrase, PASSPHRASE)
    with qtbot.waitSignal(panel.sig_restored, timeout=30_000) as blocker:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    notice = panel.notice
    assert notice is not None and notice.isVisible()
    assert "Cơ sở dữ liệu cũ được giữ tại" in notice.text()
    assert "khởi động lại" in notice.text()
    assert after in notice.text() and result.brought_back > 0
    assert f"Đã đưa lại {result.brought_back} sự kiện" in notice.text()
    assert result.numbering_note in notice.text()
    assert not panel.isEnabled()
    assert restarts == []
    qtbot.mouseClick(notice.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert restarts == [1]

    # the application as it starts again: the restored database, the dossier taken in after the backup back in it
    reopened = build_services(services.context.database.path, services.context.clock)
    try:
        assert result.set_aside is not None and result.set_aside.is_file()
        sign_in(reopened, "quantri")
        assert reopened.dossiers.get_dossier(after).code == after
    finally:
        reopened.close()


def test_a_backup_taken_without_the_audit_key_is_marked_in_the_list(
    qtbot: Any, services: Services, runner: TaskRunner
) -> None:
    services.backup.set_recovery_passphrase(PASSPHRASE)
    services.intake.accept(person_form())  # the chain has an event: its key belongs in every backup
    with_key = services.backup.create_backup().info.path
    # the key out of reach of the backup (as a keyring outside the desktop session), then back
    keys = services.context.data_dir / "audit-keys"
    aside = keys.rename(services.context.data_dir / "keys-elsewhere")
    services.context.audit_keys.forget_cached()  # type: ignore[union-attr]
    services.context.clock.advance(60)  # type: ignore[attr-defined]
    try:
        without_key = services.backup.create_backup().info.path
    finally:
        aside.rename(keys)
    panel = open_panel(qtbot, services, runner)
    column = COLUMNS.index("Khóa nhật ký")
    assert panel.table.horizontalHeaderItem(column).text() == "Khóa nhật ký"
    overview = panel.overview
    assert overview is not None
    marks = {row.path: panel.table.item(index, column) for index, row in enumerate(overview.rows)}
    assert {path: item.text() for path, item in marks.items()} == {without_key: "Thiếu", with_key: ""}
    assert "không chứa khóa kiểm toán" in marks[without_key].toolTip()
    assert marks[with_key].toolTip() == ""


@pytest.mark.parametrize("name", ["canbo", "lanhdao"])
def test_other_roles_are_refused(qtbot: Any, services: Services, runner: TaskRunner, name: str) -> None:
    staff(services)
    sign_in(services, "quantri")
    services.backup.set_recovery_passphrase(PASSPHRASE)
    services.backup.create_backup()
    services.accounts.sign_out()
    sign_in(services, name)
    panel = open_panel(qtbot, services, runner)
    assert panel.table.rowCount() == 1
    for button in (panel.passphrase_button, panel.backup_button, panel.restore_button):
        assert not button.isEnabled()
        assert button.toolTip() == ADMIN_ONLY
    with pytest.raises(PermissionDenied):
        services.backup.create_backup()
    with pytest.raises(PermissionDenied):
        services.backup.set_recovery_passphrase(PASSPHRASE + " mới")
    with pytest.raises((PermissionDenied, RuleError)):
        services.backup.restore(services.backup.list_backups()[0].path, passphrase=PASSPHRASE)
    assert len(services.backup.list_backups()) == 1


def open_window(qtbot: Any, services: Services, runner: TaskRunner, name: str) -> MainWindow:
    """The real window, signed in through its login dialog as `name`."""
    window = MainWindow(runner, open_documents=False)
    qtbot.addWidget(window)
    guard = SessionGuard(window, runner)
    window.guard = guard  # type: ignore[attr-defined]  # kept alive with the window
    window.show()
    guard.start(services)
    qtbot.waitUntil(lambda: guard.dialog is not None)
    dialog = guard.dialog
    assert dialog is not None
    dialog.name_edit.setText(name)
    dialog.password_edit.setText(PASSWORDS[name])
    with qtbot.waitSignal(window.sig_services_ready):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: name in window.clerk_label.text())
    return window


def test_in_the_window_the_administrator_opens_the_place_and_backs_up(
    qtbot: Any, services: Services, runner: TaskRunner
) -> None:
    staff(services)
    window = open_window(qtbot, services, runner, "quantri")
    button = window.rail.buttons["backups"]
    assert button.isVisible()
    panel = window.pages.backups
    assert panel is not None
    panel.restart = lambda: restarts.append(1)  # type: ignore[method-assign]
    with qtbot.waitSignal(panel.sig_loaded):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.workspace.currentWidget() is panel
    assert window.rail.current() == "backups"
    with qtbot.waitSignal(panel.sig_passphrase_set, timeout=30_000):
        set_passphrase(qtbot, panel, PASSPHRASE, PASSPHRASE)
    result = back_up(qtbot, panel)
    assert [info.path for info in services.backup.list_backups()] == [result.info.path]
    assert services.backup.overview().passphrase_set


@pytest.mark.parametrize("name", ["canbo", "lanhdao"])
def test_in_the_window_other_roles_have_no_backups_place(
    qtbot: Any, services: Services, runner: TaskRunner, name: str
) -> None:
    staff(services)
    window = open_window(qtbot, services, runner, name)
    assert not window.rail.buttons["backups"].isVisible()
    assert window.rail.buttons["statistics"].isVisible()
    with pytest.raises(PermissionDenied):
        services.backup.set_recovery_passphrase(PASSPHRASE)
    assert not services.backup.overview().passphrase_set


def test_the_automatic_backup_tells_when_the_second_copy_was_missed(
    qtbot: Any, services: Services, runner: TaskRunner, tmp_path: Path
) -> None:
    services.backup.set_recovery_passphrase(PASSPHRASE)
    unplugged = tmp_path / "usb-not-plugged"
    unplugged.write_text("a file where the folder should be")
    services.setup.set_setting("backup_second_dir", str(unplugged))
    host = QWidget()
    qtbot.addWidget(host)
    summary = StartupSummary()
    qtbot.addWidget(summary)
    watcher = MaintenanceWatcher(host, runner)
    summary.follow_maintenance(watcher)
    with qtbot.waitSignal(watcher.sig_backup_warning, timeout=30_000) as warned:
        watcher.start(services)
    qtbot.waitUntil(lambda: "vừa tạo bản sao lưu" in summary.texts())
    assert warned.args[0] in summary.texts()
    [written] = services.backup.list_backups()
    assert written.needs_passphrase  # no keyring on this PC: sealed with the administrator's recovery key
