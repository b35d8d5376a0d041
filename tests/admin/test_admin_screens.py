"""The administration screens driven like an administrator: the procedure editor and the calendar decision import."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from admin_support import NEW_CODE, decision_2027, write_json
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QSpinBox
from security.security_support import MARRIAGE, sign_in
from ui.ui_support import type_text

from counter_app.bootstrap import Services
from counter_app.services.catalogue.admin_log import PROCEDURE_CREATED
from counter_app.ui.admin.calendar_panel import CalendarPanel
from counter_app.ui.admin.catalogue_panel import CataloguePanel
from counter_app.ui.admin.procedure_editor import ProcedureEditor
from counter_app.ui.qt.task_runner import TaskRunner


@pytest.fixture
def runner(qapp: QApplication, counter: Services) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    errors: list[Any] = []
    runner.error_presenter = errors.append
    yield runner
    runner.wait_for_workers()
    QApplication.processEvents()
    assert errors == []


def open_catalogue(qtbot: Any, services: Services, runner: TaskRunner) -> CataloguePanel:
    panel = CataloguePanel(runner)
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.sig_loaded):
        panel.set_services(services)
    qtbot.waitUntil(lambda: runner.pending == 0)
    return panel


def open_editor(qtbot: Any, panel: CataloguePanel) -> ProcedureEditor:
    with qtbot.waitSignal(panel.sig_editor_opened) as opened:
        panel.add_button.click()
    editor = opened.args[0]
    assert isinstance(editor, ProcedureEditor)
    assert editor.isVisible()
    return editor


def fill_new_procedure(editor: ProcedureEditor, *, fee: str = "30000") -> None:
    type_text(editor.code, NEW_CODE)
    type_text(editor.name, "Chứng thực hợp đồng, giao dịch")
    type_text(editor.field, "Chứng thực")
    type_text(editor.deciding_agency, "Ủy ban nhân dân phường")
    editor.days.setValue(2)
    type_text(editor.fee, fee)
    editor.supplement_rule.setCurrentIndex(editor.supplement_rule.findData("restart"))
    for name, originals, copies in (("Phiếu yêu cầu chứng thực", 1, 0), ("Dự thảo hợp đồng", 1, 2)):
        editor.papers.add_button.click()
        row = editor.papers.current_row()
        item = editor.papers.table.item(row, 0)
        assert item is not None
        editor.papers.table.closePersistentEditor(item)
        item.setText(name)
        for column, count in ((1, originals), (2, copies)):
            spin = editor.papers.table.cellWidget(row, column)
            assert isinstance(spin, QSpinBox)
            spin.setValue(count)


def test_the_editor_saves_a_new_procedure_with_its_ordered_papers(
    qtbot: Any, counter: Services, runner: TaskRunner
) -> None:
    sign_in(counter, "quantri")
    panel = open_catalogue(qtbot, counter, runner)
    assert panel.admin_bar.isVisible()
    editor = open_editor(qtbot, panel)
    fill_new_procedure(editor)
    # the second paper goes first
    editor.papers.table.selectRow(1)
    editor.papers.up_button.click()
    assert [p[0] for p in editor.papers.papers()] == ["Dự thảo hợp đồng", "Phiếu yêu cầu chứng thực"]
    with qtbot.waitSignal(editor.sig_saved) as saved, qtbot.waitSignal(panel.sig_loaded):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].code == NEW_CODE
    stored = counter.catalogue.get_procedure_spec(NEW_CODE)
    assert stored.name == "Chứng thực hợp đồng, giao dịch"
    assert (stored.days, stored.fee, stored.supplement_rule) == (2, 30000, "restart")
    assert [(p.name, p.originals, p.copies) for p in stored.papers] == [
        ("Dự thảo hợp đồng", 1, 2),
        ("Phiếu yêu cầu chứng thực", 1, 0),
    ]
    assert NEW_CODE in [panel.model.procedure_at(r).code for r in range(panel.model.rowCount())]
    assert counter.catalogue.list_admin_events()[0].kind == PROCEDURE_CREATED


def test_the_editor_shows_the_error_at_the_wrong_field_and_saves_nothing(
    qtbot: Any, counter: Services, runner: TaskRunner
) -> None:
    sign_in(counter, "quantri")
    panel = open_catalogue(qtbot, counter, runner)
    editor = open_editor(qtbot, panel)
    fill_new_procedure(editor, fee="ba mươi nghìn")
    type_text(editor.cutoff, "15:00")  # a cut-off on a 2-day procedure
    with qtbot.waitSignal(runner.sig_failed):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "Lệ phí phải là số tiền" in editor.errors.message("fee")
    assert "trả kết quả trong ngày" in editor.errors.message("same_day_cutoff")
    for key in ("code", "name", "field", "deciding_agency", "days", "papers"):
        assert editor.errors.message(key) == "", key
    assert editor.findChild(type(editor.papers_error), "error_fee").isVisible()  # type: ignore[union-attr]
    assert editor.isVisible()
    assert NEW_CODE not in {p.code for p in counter.catalogue.list_procedures(include_inactive=True)}
    # fixing the fields clears their messages, and the save goes through
    editor.fee.clear()
    type_text(editor.fee, "30.000")
    editor.cutoff.clear()
    with qtbot.waitSignal(editor.sig_saved):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert counter.catalogue.get_procedure_spec(NEW_CODE).fee == 30000


def test_an_empty_papers_list_is_refused_under_the_papers_table(
    qtbot: Any, counter: Services, runner: TaskRunner
) -> None:
    sign_in(counter, "quantri")
    panel = open_catalogue(qtbot, counter, runner)
    panel.table.selectRow(
        next(r for r in range(panel.model.rowCount()) if panel.model.procedure_at(r).code == MARRIAGE)
    )
    with qtbot.waitSignal(panel.sig_editor_opened) as opened:
        panel.edit_button.click()
    editor = opened.args[0]
    assert editor.code.isReadOnly() and editor.code.text() == MARRIAGE
    while editor.papers.table.rowCount():
        editor.papers.table.selectRow(0)
        editor.papers.remove_button.click()
    with qtbot.waitSignal(runner.sig_failed):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "ít nhất một giấy tờ" in editor.errors.message("papers")
    assert len(counter.catalogue.get_procedure_spec(MARRIAGE).papers) == 2


def test_a_clerk_sees_neither_the_editor_nor_the_import(qtbot: Any, counter: Services, runner: TaskRunner) -> None:
    sign_in(counter, "canbo")
    panel = open_catalogue(qtbot, counter, runner)
    assert not panel.admin_bar.isVisible()
    calendar = CalendarPanel(runner)
    qtbot.addWidget(calendar)
    calendar.show()
    with qtbot.waitSignal(calendar.sig_loaded):
        calendar.set_services(counter)
    qtbot.waitUntil(lambda: runner.pending == 0)
    assert not calendar.import_button.isVisible()
    # the administrator signs in on the same window: switching to the tabs shows the actions
    counter.accounts.sign_out()
    sign_in(counter, "quantri")
    panel.hide()
    calendar.hide()
    panel.show()
    calendar.show()
    qtbot.waitUntil(lambda: panel.admin_bar.isVisible() and calendar.import_button.isVisible())


def test_a_calendar_decision_is_previewed_then_imported(
    qtbot: Any, counter: Services, runner: TaskRunner, tmp_path: Path
) -> None:
    sign_in(counter, "quantri")
    calendar = CalendarPanel(runner)
    qtbot.addWidget(calendar)
    calendar.show()
    with qtbot.waitSignal(calendar.sig_loaded):
        calendar.set_services(counter)
    qtbot.waitUntil(calendar.import_button.isVisible)
    with qtbot.waitSignal(calendar.sig_preview_ready) as ready:
        calendar.preview_decision(write_json(tmp_path / "2027.json", decision_2027()))
    dialog = ready.args[0]
    rows = {
        dialog.table.item(r, 0).text(): (dialog.table.item(r, 2).text(), dialog.table.item(r, 4).text())
        for r in range(dialog.table.rowCount())
    }
    assert rows["27/02/2027"] == ("Ngày làm việc bù", "Mới")
    assert rows["01/03/2027"] == ("Ngày nghỉ", "Mới")
    assert "Thay cho lịch ước tính" in dialog.summary.text()
    assert counter.calendar.get_year(2027).estimated  # nothing stored before the confirmation
    with qtbot.waitSignal(calendar.sig_imported) as imported, qtbot.waitSignal(calendar.sig_loaded):
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert imported.args == [2027]
    assert calendar.year.value() == 2027
    assert "lịch chính thức, phiên bản vn-2027.test" in calendar.status.text()
    assert not counter.calendar.get_year(2027).estimated


def test_a_refused_decision_file_is_shown_and_changes_nothing(
    qtbot: Any, counter: Services, runner: TaskRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(counter, "quantri")
    calendar = CalendarPanel(runner)
    qtbot.addWidget(calendar)
    with qtbot.waitSignal(calendar.sig_loaded):
        calendar.set_services(counter)
    shown: list[object] = []
    monkeypatch.setattr(calendar, "_on_failed", shown.append)  # the message box would block the test
    bad = write_json(tmp_path / "bad.json", decision_2027(year=1999))
    with qtbot.waitSignal(runner.sig_failed):
        calendar.preview_decision(bad)
    assert len(shown) == 1
    assert "1999" in str(shown[0])
    assert calendar.preview_dialog is None
    assert counter.calendar.get_year(2027).estimated


def test_a_deactivated_procedure_leaves_the_list_and_shows_again_on_request(
    qtbot: Any, counter: Services, runner: TaskRunner
) -> None:
    sign_in(counter, "quantri")
    panel = open_catalogue(qtbot, counter, runner)

    def codes() -> list[str]:
        return [panel.model.procedure_at(r).code for r in range(panel.model.rowCount())]

    panel.table.selectRow(codes().index(MARRIAGE))
    with qtbot.waitSignal(panel.sig_changed), qtbot.waitSignal(panel.sig_loaded):
        panel.deactivate_current(confirm=False)
    assert MARRIAGE not in codes()
    with qtbot.waitSignal(panel.sig_loaded):
        panel.show_inactive.setChecked(True)
    row = codes().index(MARRIAGE)
    assert panel.model.index(row, 1).data().endswith("(ngừng áp dụng)")
    panel.table.selectRow(row)
    assert not panel.deactivate_button.isEnabled()
    assert panel.edit_button.isEnabled()
