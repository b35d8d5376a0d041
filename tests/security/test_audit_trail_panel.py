"""The audit trail place driven like a supervisor: browse and filter who did what, when, on which dossier, and run
the verification with its verdict in words; hidden from a clerk, whose attempt the services refuse."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from admin.window_support import click_place, log_in, open_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from security.security_support import PASSWORDS, person_form, sign_in
from ui.ui_support import type_text

from counter_app.bootstrap import Services
from counter_app.ui.admin.audit_trail_panel import AuditTrailPanel
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow


@pytest.fixture
def runner(qapp: QApplication, counter: Services) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    errors: list[Any] = []
    runner.error_presenter = errors.append
    yield runner
    runner.wait_for_workers()
    QApplication.processEvents()
    assert errors == []


@pytest.fixture
def code(counter: Services) -> str:
    """One dossier taken in by the clerk (the staff's three accounts were added by the administrator before)."""
    sign_in(counter, "canbo")
    accepted = counter.intake.accept(person_form()).code
    assert accepted is not None
    counter.accounts.sign_out()
    return accepted


def trail_place(qtbot: Any, window: MainWindow) -> AuditTrailPanel:
    panel = window.pages.audit_trail
    assert panel is not None
    with qtbot.waitSignal(panel.sig_loaded):
        click_place(qtbot, window, "audit")
    assert window.workspace.currentWidget() is panel
    return panel


def filtered(qtbot: Any, panel: AuditTrailPanel) -> list[list[str]]:
    with qtbot.waitSignal(panel.sig_loaded):
        qtbot.mouseClick(panel.filter_button, Qt.MouseButton.LeftButton)
    table = panel.table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_a_supervisor_browses_filters_and_verifies_the_trail(
    qtbot: Any, counter: Services, runner: TaskRunner, code: str
) -> None:
    window, guard = open_window(qtbot, counter, runner)
    log_in(qtbot, window, guard, "lanhdao", PASSWORDS["lanhdao"])
    panel = trail_place(qtbot, window)
    everything = counter.audit.list_trail(panel.query())
    assert panel.table.rowCount() == everything.total >= 4
    assert panel.page_label.text() == f"Trang 1/1 · {everything.total} thao tác"

    # who: the clerk's actions only
    panel.person_combo.setCurrentIndex(panel.person_combo.findData("canbo"))
    rows = filtered(qtbot, panel)
    assert rows and {row[1] for row in rows} == {"canbo"}
    assert ["02/03/2026 09:00", "canbo", "Tiếp nhận hồ sơ", code] == rows[-1][:4]  # when, who, what, which dossier

    # which dossier: typed in part, as a clerk reads it off the receipt
    panel.person_combo.setCurrentIndex(0)
    type_text(panel.dossier_edit, code[-6:])
    rows = filtered(qtbot, panel)
    assert {row[3] for row in rows} == {code}

    # what: the accounts' changes, each named in Vietnamese
    panel.dossier_edit.clear()
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("user."))
    rows = filtered(qtbot, panel)
    assert [row[2] for row in rows] == ["Thêm tài khoản"] * 3

    # when: a day with nothing recorded shows nothing
    panel.kind_combo.setCurrentIndex(0)
    panel.by_date.setChecked(True)
    panel.since_edit.setDate(panel.since_edit.date().addDays(-1))
    panel.until_edit.setDate(panel.since_edit.date())
    assert filtered(qtbot, panel) == []

    # the verification: intact, then an event edited in the file
    with qtbot.waitSignal(panel.sig_verified) as verified:
        qtbot.mouseClick(panel.verify_button, Qt.MouseButton.LeftButton)
    assert verified.args[0] is True
    assert panel.verdict.text().startswith("Nhật ký nguyên vẹn: đã kiểm tra")
    with sqlite3.connect(counter.context.database.path) as conn:
        conn.execute("UPDATE event SET clerk = 'ai-do' WHERE kind = 'dossier.accepted'")
    with qtbot.waitSignal(panel.sig_verified) as verified:
        qtbot.mouseClick(panel.verify_button, Qt.MouseButton.LeftButton)
    assert verified.args[0] is False
    assert "Nhật ký BỊ PHÁ VỠ tại quầy 1" in panel.verdict.text()
    assert not counter.audit.verify(central=False).ok


def test_an_administrator_sees_the_trail_too(qtbot: Any, counter: Services, runner: TaskRunner, code: str) -> None:
    window, guard = open_window(qtbot, counter, runner)
    log_in(qtbot, window, guard, "quantri", PASSWORDS["quantri"])
    panel = trail_place(qtbot, window)
    assert any(panel.table.item(r, 3).text() == code for r in range(panel.table.rowCount()))


def test_the_trail_is_hidden_from_a_clerk_and_refused_anyway(
    qtbot: Any, counter: Services, runner: TaskRunner, code: str
) -> None:
    window, guard = open_window(qtbot, counter, runner)
    log_in(qtbot, window, guard, "canbo", PASSWORDS["canbo"])
    assert not window.rail.buttons["audit"].isVisible()
    panel = window.pages.audit_trail
    assert panel is not None
    window.go_to("audit")  # not on the rail: reached anyway, the services refuse to read or verify
    qtbot.waitUntil(lambda: "không được xem và kiểm tra nhật ký thao tác" in panel.verdict.text())
    assert panel.table.rowCount() == 0
    qtbot.mouseClick(panel.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.verify_button.isEnabled() and "lãnh đạo" in panel.verdict.text())
    assert code
