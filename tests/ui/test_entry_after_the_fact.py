"""Entry after the fact in the window (issue 19): a supervisor's "Nhập hồ sơ sau" re-enters a dossier a restore
lost under the code and time printed on its "Liên 1" copy, or takes in a dossier received on paper back-dated
under a new code; a clerk has no such action, errors show at their field, and the next citizen is received "now".

The counter's state is the one tests/backup/test_re_entry.py builds: one intake, a backup, two more intakes printed
and not synced, then the backup restored (those two are gone, their numbers are not issued again)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from admin.window_support import click_place, log_in, open_window, sign_out_to_login
from printing.pdf_readback import pdf_text
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from ui.ui_support import (
    AGENCY,
    AGENCY_NAME,
    BIRTH_REGISTRATION,
    PERSON_ID,
    PERSON_NAME,
    person_form,
    press_enter,
    settle,
    type_text,
)

from counter_app.bootstrap import Services, build_maintenance, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.dossier import PaperEntry
from counter_app.services.maintenance import backup_keys
from counter_app.services.maintenance.backup_restore import RestoreResult
from counter_app.ui.admin.backup_dialogs import PENDING_VARIABLE, RestoreNotice, pending_re_entry
from counter_app.ui.intake.intake_draft import collect_draft
from counter_app.ui.intake.intake_screen import IntakeScreen
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow
from counter_app.ui.shell.session import SessionGuard

DAY = "2026-03-02"  # a Monday
KEY = bytes(range(32))
ADMIN, SUPERVISOR, CLERK = ("quantri", "Quan-tri-2026!"), ("giamsat", "Giam-sat-2026!"), ("canbo", "Can-bo-2026!")
REASON = "Mất dữ liệu sau khi phục hồi; nhập lại từ liên lưu"


def at(hour: str) -> datetime:
    return datetime.fromisoformat(f"{DAY} {hour}").replace(tzinfo=VN_TZ)


class SetClock:
    """The counter's clock, moved by the test (the window reads "now" from it)."""

    def __init__(self, hour: str) -> None:
        self.moment = at(hour)

    def now(self) -> datetime:
        return self.moment


@dataclass(frozen=True)
class Restored:
    db: Path
    kept: str  # the code taken in before the backup (restored with it)
    lost: tuple[str, str]  # the codes printed after the backup, gone with the restore
    result: RestoreResult


@pytest.fixture(scope="module")
def restored(tmp_path_factory: pytest.TempPathFactory) -> Restored:
    folder = tmp_path_factory.mktemp("restored")
    db = folder / "counter.db"
    clock = SetClock("08:00")
    with pytest.MonkeyPatch.context() as patch:  # the keyring's backup key, without a keyring
        patch.setattr(backup_keys, "key_for_backup", lambda _name: KEY)
        patch.setattr(backup_keys, "stored_key", lambda _name: KEY)
        services = build_services(db, clock)
        services.setup.init_local(agency_code=AGENCY, agency_name=AGENCY_NAME, counter=1)
        kept = services.intake.accept(person_form(identifier="079190000001")).code
        backup = services.backup.create_backup(to_dir=folder / "backups").info.path
        lost = []
        for n, hour in enumerate(("09:00", "09:10"), start=2):
            clock.moment = at(hour)
            lost.append(services.intake.accept(person_form(identifier=f"07919000000{n}")).code)
        services.close()
        clock.moment = at("10:00")
        maintenance = build_maintenance(db, clock)
        try:
            result = maintenance.backup.restore(backup)
        finally:
            maintenance.close()
    assert kept is not None and None not in lost
    return Restored(db, str(kept), (str(lost[0]), str(lost[1])), result)


@pytest.fixture
def services(restored: Restored, tmp_path: Path) -> Iterator[Services]:
    """The restored counter at 10:00 the same day, with an administrator, a supervisor and a clerk."""
    db = tmp_path / "counter.db"
    shutil.copyfile(restored.db, db)
    services = build_services(db, SetClock("10:00"))
    services.accounts.add_user(ADMIN[0], "admin", ADMIN[1])
    services.accounts.sign_in(*ADMIN)
    services.accounts.add_user(SUPERVISOR[0], "supervisor", SUPERVISOR[1], full_name="Lê Giám Sát")
    services.accounts.add_user(CLERK[0], "clerk", CLERK[1], full_name="Phạm Cán Bộ")
    services.accounts.sign_out()
    yield services
    services.close()


@pytest.fixture(autouse=True)
def no_codes_handed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """No code left by an earlier restore; what a test hands over goes with it."""
    monkeypatch.setenv(PENDING_VARIABLE, "")


def signed_in(qtbot: Any, services: Services, runner: TaskRunner, who: tuple[str, str]) -> MainWindow:
    window, guard = open_window(qtbot, services, runner)
    window.guard = guard  # type: ignore[attr-defined]  # kept alive with the window
    log_in(qtbot, window, guard, *who)
    return window


def back_entry_screen(qtbot: Any, window: MainWindow) -> IntakeScreen:
    """The supervisor chooses "Nhập hồ sơ sau" on the rail: the intake in that mode."""
    click_place(qtbot, window, "back_entry")
    intake = window.intake
    assert intake is not None and intake.after_the_fact.isVisible()
    return intake


def fill_dossier(qtbot: Any, intake: IntakeScreen, identifier: str = PERSON_ID) -> None:
    """The procedure, the paper handed in and the applicant, typed as on the copy."""
    type_text(intake.picker.edit, "ket hon")
    qtbot.waitUntil(lambda: any("Đăng ký kết hôn" in n for n in intake.picker.match_names()))
    press_enter(intake.picker.edit)
    qtbot.waitUntil(lambda: intake.papers.rowCount() > 0)
    rect = intake.papers.visualItemRect(intake.papers.item(0, 0))
    qtbot.mouseClick(intake.papers.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.keyClick(intake.papers, Qt.Key.Key_Space)
    type_text(intake.lines["identifier"], identifier)
    type_text(intake.lines["name"], PERSON_NAME)
    type_text(intake.lines["birth_date"], "05/09/1990")
    type_text(intake.lines["address"], "12 Đường Lê Lợi, Phường Bến Thành")


def fill_mode(intake: IntakeScreen, *, code: str = "", received: str = "", reason: str = "", receipt: str = "") -> None:
    mode = intake.after_the_fact
    for edit, text in ((mode.code, code), (mode.received, received), (mode.reason, reason), (mode.receipt, receipt)):
        if text:
            edit.setFocus()
            edit.selectAll()
            type_text(edit, text)


def accept(qtbot: Any, intake: IntakeScreen) -> Any:
    with qtbot.waitSignal(intake.sig_outcome, timeout=10_000) as outcome:
        qtbot.mouseClick(intake.accept_button, Qt.MouseButton.LeftButton)
    return outcome.args[0]


def boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_a_clerk_has_no_such_action_and_a_supervisor_s_mode_is_not_left_to_one(
    qtbot: Any, services: Services, runner: TaskRunner
) -> None:
    window = signed_in(qtbot, services, runner, CLERK)
    assert window.rail.buttons["back_entry"].isHidden()
    guard: SessionGuard = window.guard  # type: ignore[attr-defined]
    sign_out_to_login(qtbot, guard)
    log_in(qtbot, window, guard, *SUPERVISOR)
    assert window.rail.buttons["back_entry"].isVisible()
    intake = back_entry_screen(qtbot, window)
    fill_mode(intake, received="02/03/2026 08:30")
    # the supervisor leaves the desk; the clerk signs in: no action, and nothing of the mode stays on the form
    sign_out_to_login(qtbot, guard)
    log_in(qtbot, window, guard, *CLERK)
    assert window.rail.buttons["back_entry"].isHidden()
    assert not intake.after_the_fact.active and intake.after_the_fact.isHidden()
    assert intake.after_the_fact.received.text() == ""


def test_a_supervisor_re_enters_a_code_the_restore_named(
    qtbot: Any, services: Services, runner: TaskRunner, restored: Restored
) -> None:
    lost = restored.lost
    assert set(lost) <= set(restored.result.missing_codes)
    # the restore's notice: the events did not continue the restored chain, so the codes are left to re-enter
    notice = RestoreNotice(replace(restored.result, re_entry_codes=lost))
    qtbot.addWidget(notice)
    restarts: list[int] = []
    notice.finished.connect(lambda _code: restarts.append(len(pending_re_entry())))  # as the panel's restart
    notice.open()
    assert f"Cần cán bộ giám sát nhập lại các hồ sơ: {lost[0]}, {lost[1]}." in notice.text()
    assert notice.re_entry_button is not None
    qtbot.mouseClick(notice.re_entry_button, Qt.MouseButton.LeftButton)
    assert restarts == [2]  # handed over before the application starts again

    # the application as it starts again: the supervisor signs in and the mode opens with the first code
    window = signed_in(qtbot, services, runner, SUPERVISOR)
    qtbot.waitUntil(lambda: window.intake is not None and window.intake.after_the_fact.active)
    intake = window.intake
    assert intake is not None
    assert intake.after_the_fact.code.text() == lost[0]
    assert window.focusWidget() is intake.after_the_fact.received  # where the focus is once the window is active
    assert lost[1] in window.message_line.currentMessage()
    fill_mode(intake, received="02/03/2026 09:00", reason=REASON)
    fill_dossier(qtbot, intake)
    result = accept(qtbot, intake)
    assert result.code == lost[0] and result.outcome == "re_enter"
    view = services.dossiers.get_dossier(lost[0])
    assert view.received_at == at("09:00")
    assert view.applicant_name == PERSON_NAME
    details = [e.details for e in services.dossiers.timeline(lost[0])]
    assert details == [f"Nhập lại từ liên lưu (tiếp nhận lúc 02/03/2026 09:00); lý do: {REASON}"]
    assert intake.showing_confirmation() and lost[0] in intake.confirmation.code_label.text()
    assert [b.objectName() for b in intake.confirmation.print_buttons] == ["print_receipt", "print_control"]
    with qtbot.waitSignal(intake.sig_document_ready, timeout=20_000) as printed:
        qtbot.mouseClick(intake.confirmation.print_buttons[0], Qt.MouseButton.LeftButton)
    receipt = pdf_text(printed.args[0].path)
    assert "NHẬP LẠI TỪ LIÊN LƯU ngày 02/03/2026" in receipt and lost[0] in receipt
    assert "Thời gian nhận hồ sơ: 09 giờ 00 phút" in receipt  # the printed time, not the re-entry's
    # the next "Nhập hồ sơ sau" offers the other code
    click_place(qtbot, window, "back_entry")
    assert intake.after_the_fact.code.text() == lost[1] and pending_re_entry() == []


def test_a_back_dated_intake_without_a_code_gets_a_new_code_and_its_time(
    qtbot: Any, services: Services, runner: TaskRunner, restored: Restored
) -> None:
    window = signed_in(qtbot, services, runner, SUPERVISOR)
    intake = back_entry_screen(qtbot, window)
    assert not intake.refuse_button.isEnabled() and not intake.supplement_button.isEnabled()
    fill_mode(intake, received="02/03/2026 08:30", reason="Mất điện, đã tiếp nhận trên giấy")
    fill_dossier(qtbot, intake)
    result = accept(qtbot, intake)
    assert result.code not in {restored.kept, *restored.lost}  # a new code, never one printed before
    assert result.code.startswith(f"{AGENCY}-260302-")
    view = services.dossiers.get_dossier(result.code)
    assert view.received_at == at("08:30")
    details = [e.details for e in services.dossiers.timeline(result.code)]
    assert details == [
        "Nhập sau hồ sơ tiếp nhận trên giấy (tiếp nhận lúc 02/03/2026 08:30); lý do: Mất điện, đã tiếp nhận trên giấy"
    ]


def test_errors_show_at_their_field_and_nothing_is_saved(
    qtbot: Any, services: Services, runner: TaskRunner, restored: Restored, task_errors: list[Any]
) -> None:
    window = signed_in(qtbot, services, runner, SUPERVISOR)
    intake = back_entry_screen(qtbot, window)
    fill_dossier(qtbot, intake)
    mode = intake.after_the_fact

    def refused(key: str, words: str) -> None:
        qtbot.mouseClick(intake.accept_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: intake.field_error(key) != "" and intake.accept_button.isEnabled(), timeout=10_000)
        assert words in intake.field_error(key)
        assert intake.findChild(type(intake.general_error), f"error_{key}").isVisible()
        assert not intake.showing_confirmation() and boxes() == [] and task_errors == []
        assert services.dossiers.find(PERSON_ID) == []

    fill_mode(intake, code=restored.lost[0], received="02/03/2026 10:30", reason=REASON)
    refused("received", "tương lai")
    fill_mode(intake, received="2/3/2026 9 giờ")
    refused("received", "không hợp lệ")
    fill_mode(intake, received="02/03/2026 09:00")
    mode.reason.clear()
    refused("back_entry_reason", "lý do")
    fill_mode(intake, code=f"{AGENCY}-260302-1999", reason=REASON)
    refused("code", "chưa từng được cấp")
    fill_mode(intake, code=restored.lost[0], receipt="12/TTPVHCC")  # the receipt number as printed on the copy
    refused("receipt", "6 chữ số")
    fill_mode(intake, receipt="199999/TTPVHCC")
    refused("receipt", "chưa từng được cấp")
    assert intake.lines["name"].text() == PERSON_NAME  # nothing typed is lost
    # and no draft of it: a draft comes back as an ordinary intake, which would take this dossier in a second time
    intake.flush_draft()
    settle(qtbot, runner)
    assert services.drafts.load_draft("intake") is None


def test_after_leaving_the_mode_the_next_citizen_is_received_now(
    qtbot: Any, services: Services, runner: TaskRunner, restored: Restored
) -> None:
    window = signed_in(qtbot, services, runner, SUPERVISOR)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    intake = back_entry_screen(qtbot, window)
    fill_mode(intake, code=restored.lost[1], received="02/03/2026 09:10", reason=REASON)
    fill_dossier(qtbot, intake)
    assert accept(qtbot, intake).code == restored.lost[1]
    # the next citizen, from the confirmation (F2): an ordinary intake, received now
    QTest.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: not intake.showing_confirmation())
    assert not intake.after_the_fact.active and intake.after_the_fact.isHidden()
    fill_dossier(qtbot, intake, identifier="079190012346")
    now = accept(qtbot, intake)
    assert now.outcome == "accept" and services.dossiers.get_dossier(now.code).received_at == at("10:00")

    # entered again, half filled, then left by its button: nothing of it is left behind
    QTest.keyClick(window, Qt.Key.Key_F2)
    intake = back_entry_screen(qtbot, window)
    fill_mode(intake, received="02/03/2026 08:15", reason="Mất điện")
    fill_dossier(qtbot, intake, identifier="079190012347")
    qtbot.mouseClick(intake.after_the_fact.leave_button, Qt.MouseButton.LeftButton)
    assert intake.after_the_fact.isHidden() and intake.is_blank()
    assert intake.refuse_button.isEnabled() and intake.supplement_button.isEnabled()
    fill_dossier(qtbot, intake, identifier="079190012347")
    later = accept(qtbot, intake)
    state = services.dossiers.get_dossier(later.code)
    assert state.received_at == at("10:00")
    assert [e.details for e in services.dossiers.timeline(later.code)] == [""]  # no back-entry recorded


def test_a_draft_saved_before_the_mode_waits_untouched_and_comes_back_after_it(
    qtbot: Any, services: Services, runner: TaskRunner
) -> None:
    window = signed_in(qtbot, services, runner, SUPERVISOR)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    intake = window.open_intake()
    assert intake is not None
    fill_dossier(qtbot, intake, identifier="079190012348")  # an applicant's intake, interrupted
    intake.flush_draft()
    settle(qtbot, runner)
    saved = services.drafts.load_draft("intake")
    assert saved is not None and saved["lines"]["identifier"] == "079190012348"

    def form_is_the_draft(screen: IntakeScreen) -> bool:
        form = collect_draft(screen.fields)
        return form == {key: saved[key] for key in form}

    for leave in ("outcome", "button"):
        # the intake page as it opens after its tab was closed (or the window started again): an empty form,
        # the draft on its way back; the supervisor chooses "Nhập hồ sơ sau" on it at once
        window.close_intake()
        intake = back_entry_screen(qtbot, window)
        settle(qtbot, runner)
        assert intake.is_blank()  # the draft is not the mode's: never restored into it
        assert services.drafts.load_draft("intake") == saved
        if leave == "outcome":
            fill_mode(intake, received="02/03/2026 08:30", reason="Mất điện, đã tiếp nhận trên giấy")
            fill_dossier(qtbot, intake, identifier="079190012349")
            assert accept(qtbot, intake).outcome == "accept"
            settle(qtbot, runner)
            assert services.drafts.load_draft("intake") == saved
            with qtbot.waitSignal(intake.sig_draft_restored, timeout=10_000):
                QTest.keyClick(window, Qt.Key.Key_F2)  # the next applicant: the waiting draft is back
        else:
            # a Mẫu 02 slip scanned meanwhile would be filled and saved over the waiting draft: refused, said why
            papers, missing = (
                (PaperEntry("Tờ khai đăng ký khai sinh", 1, 0),),
                ("Giấy chứng sinh hoặc giấy tờ thay thế",),
            )
            slip = services.intake.request_supplement(person_form(BIRTH_REGISTRATION, papers=papers, missing=missing))
            window.intake_tab.open_slip(str(slip.slip))
            qtbot.waitUntil(lambda: "quét lại phiếu" in window.message_line.currentMessage(), timeout=10_000)
            assert intake.after_the_fact.active and services.drafts.load_draft("intake") == saved
            with qtbot.waitSignal(intake.sig_draft_restored, timeout=10_000):
                qtbot.mouseClick(intake.after_the_fact.leave_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda intake=intake: form_is_the_draft(intake), timeout=10_000)
        assert not intake.after_the_fact.active
        settle(qtbot, runner)
        assert services.drafts.load_draft("intake") == saved

    # exactly as closing and opening the intake page again brings it back
    window.close_intake()
    reopened = window.open_intake()
    assert reopened is not None
    qtbot.waitUntil(lambda: form_is_the_draft(reopened), timeout=10_000)


def test_the_mode_fits_the_desk_without_scrolling(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    window = signed_in(qtbot, services, runner, SUPERVISOR)
    intake = back_entry_screen(qtbot, window)
    fill_dossier(qtbot, intake)
    for width, height in ((1366, 728), (1280, 720)):
        window.resize(width, height)
        qtbot.waitUntil(lambda width=width, height=height: window.size().toTuple() == (width, height))
        QApplication.processEvents()
        assert intake.form_scroll.verticalScrollBar().maximum() == 0, (width, height)


def test_the_restore_notice_says_what_became_of_the_audit_key(qtbot: Any, restored: Restored) -> None:
    note = "Bản sao lưu không mang khóa ký nhật ký kiểm toán: các sự kiện trước lần phục hồi không kiểm tra được."
    notice = RestoreNotice(replace(restored.result, audit_key="missing", audit_key_note=note))
    qtbot.addWidget(notice)
    assert note in notice.text().splitlines()
    assert restored.result.audit_key_note == ""  # the key came back: nothing to say
    plain = RestoreNotice(restored.result)
    qtbot.addWidget(plain)
    assert "khóa ký" not in plain.text()
