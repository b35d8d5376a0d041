"""The settings dialog: the agency's fixed part shown read-only; office hours changed move a new due date."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ui.ui_support import AGENCY, person_form

from counter_app.bootstrap import Services
from counter_app.domain.clock import VN_TZ
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


def test_password_goes_to_the_system_keyring(
    qtbot: Any, window: MainWindow, services: Services, secret_service_env: dict[str, str]
) -> None:
    import keyring

    dialog = _open(qtbot, window)
    dialog.edits["central_url"].setText("postgresql://quay_h29_1@127.0.0.1:5432/trung_tam")
    dialog.password_edit.setText("mật-khẩu-quầy")
    with qtbot.waitSignal(dialog.sig_saved, timeout=10_000):
        dialog.save()
    assert keyring.get_password("counter_app", "quay_h29_1") == "mật-khẩu-quầy"
    assert services.context.settings().central_url == "postgresql://quay_h29_1@127.0.0.1:5432/trung_tam"


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
