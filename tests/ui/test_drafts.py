"""Drafts of the intake form: saved shortly after the last change, restored on reopening and after a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication
from ui.ui_support import PERSON_NAME, open_services, press_enter, settle, type_text

from counter_app.bootstrap import Services
from counter_app.ui.intake.intake_screen import IntakeScreen
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow


def fill_some(qtbot: Any, intake: IntakeScreen) -> None:
    type_text(intake.picker.edit, "khai sinh")
    qtbot.waitUntil(lambda: intake.picker.match_names() != [])
    press_enter(intake.picker.edit)
    qtbot.waitUntil(lambda: intake.picker.procedure() is not None)
    intake.papers.set_present(0, True)  # handed in; "Văn bản ủy quyền (nếu nộp thay)": not brought
    intake.papers.set_present(1, True)
    type_text(intake.lines["name"], PERSON_NAME)
    type_text(intake.lines["address"], "Số 7, Hẻm 12, Phường Ông Lãnh")
    intake.organisation.setChecked(False)


def test_draft_restored_after_closing_and_reopening(qtbot: Any, window: MainWindow, services: Services) -> None:
    intake = window.open_intake()
    assert intake is not None
    with qtbot.waitSignal(intake.sig_draft_saved, timeout=5000):
        fill_some(qtbot, intake)
    assert services.drafts.load_draft("intake") is not None
    window.close_intake()
    assert window.intake is None
    reopened = window.open_intake()
    assert reopened is not None and reopened is not intake
    qtbot.waitUntil(lambda: reopened.picker.procedure() is not None, timeout=5000)
    assert reopened.picker.procedure().name == "Đăng ký khai sinh"
    assert reopened.lines["name"].text() == PERSON_NAME
    assert reopened.lines["address"].text() == "Số 7, Hẻm 12, Phường Ông Lãnh"
    assert [present for _p, present in reopened.papers.entries()] == [True, True, False]


def test_closing_soon_after_typing_still_keeps_the_draft(qtbot: Any, window: MainWindow, services: Services) -> None:
    intake = window.open_intake()
    assert intake is not None
    type_text(intake.lines["name"], PERSON_NAME)
    window.close_intake()  # before the debounce fired: the screen saves on closing
    qtbot.waitUntil(lambda: services.drafts.load_draft("intake") is not None, timeout=5000)
    assert services.drafts.load_draft("intake")["lines"]["name"] == PERSON_NAME


def test_draft_survives_a_restart(qtbot: Any, tmp_path: Path, qapp: QApplication) -> None:
    db = tmp_path / "restart.db"
    first = open_services(db)
    runner = TaskRunner()
    intake = IntakeScreen(first, runner, draft_delay_ms=50)
    qtbot.addWidget(intake)
    with qtbot.waitSignal(intake.sig_draft_saved, timeout=5000):
        fill_some(qtbot, intake)
    intake.close()
    runner.wait_for_workers()
    QApplication.processEvents()
    first.close()

    second = open_services(db)  # the application started again on the same database
    try:
        runner2 = TaskRunner()
        again = IntakeScreen(second, runner2)
        qtbot.addWidget(again)
        with qtbot.waitSignal(again.sig_draft_restored, timeout=5000):
            pass
        qtbot.waitUntil(lambda: again.picker.procedure() is not None, timeout=5000)
        assert again.lines["name"].text() == PERSON_NAME
        assert [present for _p, present in again.papers.entries()] == [True, True, False]
        runner2.wait_for_workers()
        QApplication.processEvents()
    finally:
        second.close()


def test_draft_discarded_after_an_outcome(
    qtbot: Any, window: MainWindow, services: Services, runner: TaskRunner
) -> None:
    intake = window.open_intake()
    assert intake is not None
    with qtbot.waitSignal(intake.sig_draft_saved, timeout=5000):
        fill_some(qtbot, intake)
        type_text(intake.lines["identifier"], "079190012345")
    with qtbot.waitSignal(intake.sig_outcome, timeout=5000):
        intake.accept_dossier()
    qtbot.waitUntil(lambda: services.drafts.load_draft("intake") is None, timeout=5000)
    window.close_intake()
    reopened = window.open_intake()
    assert reopened is not None
    settle(qtbot, runner)  # a draft, had one been kept, would be loaded and shown by now
    assert reopened.is_blank()
