"""The first-run wizard: from a fresh database to a working counter, and an invalid agency id kept on its page."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from printing.pdf_readback import pdf_text
from PySide6.QtWidgets import QApplication
from ui.ui_support import START, person_form, type_text

import counter_app.app as app_module
from counter_app.bootstrap import Services, build_maintenance, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.errors import CounterError
from counter_app.services.common.clock import DrillClock
from counter_app.services.common.secret_vault import VaultFile, open_slot, sync_credential_name
from counter_app.ui.admin.first_run_wizard import FirstRunWizard
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow

ADMIN = ("lan.nguyen", "Quan-tri-2026!", "Nguyễn Thị Lan", "Công chức Văn phòng - Thống kê")
PASSPHRASE = "sao lưu phường Hòa Khánh 2026"
NEW_AGENCY = "000.21.33.H48"
NEW_AGENCY_NAME = "Ủy ban nhân dân phường Hòa Khánh"
CREDENTIAL = "cc1." + "k" * 43  # the form of `central add-counter`'s credential


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Services]:
    services = build_services(tmp_path / "fresh" / "counter.db", DrillClock(START))
    yield services
    services.close()


@pytest.fixture
def fresh_runner(qapp: QApplication, fresh: Services, task_errors: list[Any]) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    runner.error_presenter = task_errors.append
    yield runner
    runner.wait_for_workers()
    QApplication.processEvents()


@pytest.fixture
def wizard(qtbot: Any, fresh: Services, fresh_runner: TaskRunner) -> tuple[MainWindow, FirstRunWizard]:
    window = MainWindow(fresh_runner, open_documents=False, offer_first_run=True)
    qtbot.addWidget(window)
    window.show()
    window.set_services(fresh)
    qtbot.waitUntil(lambda: window.first_run is not None and window.first_run.isVisible(), timeout=10_000)
    assert window.first_run is not None
    return window, window.first_run


def _fill_agency(wizard: FirstRunWizard, code: str) -> None:
    page = wizard.agency_page
    page.name_edit.setText(NEW_AGENCY_NAME)
    page.code_edit.clear()
    type_text(page.code_edit, code)
    wizard.next()


def test_fresh_database_to_working_counter(
    qtbot: Any,
    wizard: tuple[MainWindow, FirstRunWizard],
    fresh: Services,
    task_errors: list[Any],
    tmp_path: Path,
) -> None:
    window, wiz = wizard
    assert not fresh.context.settings().is_configured
    _fill_agency(wiz, NEW_AGENCY.lower())  # typed in lower case: the code is kept upper case
    assert wiz.currentPage() is wiz.place_page
    wiz.place_page.parent_edit.setText("UBND QUẬN LIÊN CHIỂU")
    wiz.place_page.place_edit.setText("Đà Nẵng")
    wiz.next()
    assert wiz.currentPage() is wiz.counter_page
    wiz.counter_page.counter_spin.setValue(2)
    wiz.counter_page.number_digits.setCurrentText("4")
    wiz.next()
    wiz.hours_page.hours_edit.setText("07:00-11:00,13:30-17:00")
    wiz.next()
    wiz.head_page.head_name_edit.setText("Trần Văn Bình")
    wiz.next()
    assert wiz.currentPage() is wiz.printers_page
    wiz.next()
    assert wiz.currentPage() is wiz.central_page
    wiz.central_page.url_edit.setText("https://dongbo.danang.gov.vn:8443")
    wiz.central_page.credential_edit.setText(CREDENTIAL)
    wiz.next()
    _fill_admin(wiz)
    assert wiz.currentPage() is wiz.backup_page
    _fill_passphrase(wiz, PASSPHRASE, PASSPHRASE)
    with qtbot.waitSignal(wiz.sig_configured, timeout=10_000):
        wiz.accept()
    qtbot.waitUntil(lambda: not wiz.isVisible())

    settings = fresh.context.settings()
    assert settings.is_configured
    assert (settings.agency_code, settings.counter) == (NEW_AGENCY, 2)
    assert (settings.place, settings.head_name) == ("Đà Nẵng", "Trần Văn Bình")
    # the sync service's address and the credential the administrator issued (kept in the store, never shown)
    assert settings.central_url == "https://dongbo.danang.gov.vn:8443"
    # no keyring on this machine: the credential went into the secret vault with the first administrator, opened
    # only with that account's password (the plain file it was first written to is gone)
    assert not (fresh.context.data_dir / "sync-credential").exists()
    vault = VaultFile(fresh.context.data_dir).read()
    assert vault is not None
    vault_key = open_slot(ADMIN[0], vault.slots[ADMIN[0]], ADMIN[1])
    assert vault_key is not None
    assert vault.secret(vault_key, sync_credential_name(NEW_AGENCY, 2)) == CREDENTIAL.encode()
    qtbot.waitUntil(lambda: window.counter_label.text() == f"Quầy 2 – {NEW_AGENCY_NAME}", timeout=5000)

    # a working counter: the intake screen opens and a dossier taken in gets a code of the typed agency
    assert window.open_intake() is not None
    result = fresh.intake.accept(person_form())
    assert result.code is not None
    # counter 2 on one digit, number 0001 on four digits (domain.md §4: <agency>-<YYMMDD>-<counter><number>)
    assert result.code == f"{NEW_AGENCY}-260302-20001"
    # 5 working days after Monday 02/03/2026: Monday 09/03/2026, at the typed closing time 17:00
    assert result.due == datetime(2026, 3, 9, 17, 0, tzinfo=VN_TZ)
    window.refresh_queue()
    qtbot.waitUntil(lambda: window.rail.text("today") == "Hôm nay (1)", timeout=5000)
    assert task_errors == []
    # the administrator made by the wizard signs in; a backup restores on a new PC with the passphrase alone
    assert [(u.name, u.full_name, u.title, u.role.value) for u in fresh.accounts.list_users()] == [
        (ADMIN[0], ADMIN[2], ADMIN[3], "admin")
    ]
    fresh.accounts.sign_out()
    assert fresh.accounts.sign_in(ADMIN[0], ADMIN[1]).full_name == ADMIN[2]
    # the intake after the wizard was the administrator's: the receipt names them, not a blank line
    assert ADMIN[2] in pdf_text(fresh.documents.render(result.code, "receipt").path)
    backup = fresh.backup.create_backup()
    new_pc = build_maintenance(tmp_path / "new-pc" / "counter.db", DrillClock(START))
    try:
        with pytest.raises(CounterError):
            new_pc.backup.restore(backup.info.path, passphrase="một mật khẩu khác hẳn")
        new_pc.backup.restore(backup.info.path, passphrase=PASSPHRASE)
    finally:
        new_pc.close()
    with sqlite3.connect(tmp_path / "new-pc" / "counter.db") as db:
        assert db.execute("select code from dossier").fetchall() == [(result.code,)]


def _fill_admin(wiz: FirstRunWizard) -> None:
    page = wiz.admin_page
    assert page is not None and wiz.currentPage() is page
    type_text(page.name_edit, ADMIN[0])
    type_text(page.full_name_edit, ADMIN[2])
    type_text(page.title_edit, ADMIN[3])
    type_text(page.password_edit, ADMIN[1])
    type_text(page.again_edit, ADMIN[1][:-1])
    wiz.next()
    assert wiz.currentPage() is page and page.errors.message("admin_again") == "Hai lần nhập mật khẩu không khớp."
    type_text(page.again_edit, ADMIN[1][-1])
    wiz.next()


def _fill_passphrase(wiz: FirstRunWizard, first: str, again: str) -> None:
    page = wiz.backup_page
    assert page is not None
    type_text(page.passphrase_edit, "ngắn")
    wiz.accept()
    assert "ít nhất 10 ký tự" in page.errors.message("passphrase")
    page.passphrase_edit.clear()
    type_text(page.passphrase_edit, first)
    type_text(page.again_edit, again)


def test_invalid_agency_id_keeps_the_page(qtbot: Any, wizard: tuple[MainWindow, FirstRunWizard]) -> None:
    _window, wiz = wizard
    _fill_agency(wiz, "12.34.H5")
    assert wiz.currentPage() is wiz.agency_page
    message = wiz.agency_page.errors.message("agency_code")
    assert "QCVN 102:2016/BTTTT" in message
    _fill_agency(wiz, NEW_AGENCY)
    assert wiz.currentPage() is wiz.place_page
    assert wiz.agency_page.errors.message("agency_code") == ""


def test_counter_beyond_one_digit_is_refused(qtbot: Any, wizard: tuple[MainWindow, FirstRunWizard]) -> None:
    _window, wiz = wizard
    _fill_agency(wiz, NEW_AGENCY)
    wiz.next()
    wiz.counter_page.counter_spin.setValue(12)  # counters 10 and above need two digits
    wiz.next()
    assert wiz.currentPage() is wiz.counter_page
    assert wiz.counter_page.errors.message("counter") != ""
    wiz.counter_page.counter_digits.setCurrentText("2")
    wiz.next()
    assert wiz.currentPage() is wiz.hours_page


def test_bad_office_hours_and_a_database_address_are_refused(
    qtbot: Any, wizard: tuple[MainWindow, FirstRunWizard]
) -> None:
    _window, wiz = wizard
    _fill_agency(wiz, NEW_AGENCY)
    wiz.next()
    wiz.next()
    wiz.hours_page.hours_edit.setText("13:00-17:00,07:30-11:30")  # unsorted periods
    wiz.next()
    assert wiz.currentPage() is wiz.hours_page
    assert wiz.hours_page.errors.message("office_hours") != ""
    wiz.hours_page.hours_edit.setText("07:30-11:30,13:00-17:00")
    wiz.next()
    wiz.head_page.head_name_edit.setText("Trần Văn Bình")
    wiz.next()
    wiz.next()
    assert wiz.currentPage() is wiz.central_page
    # issue 18: a counter syncs only through the city's sync service, never as a PostgreSQL login
    wiz.central_page.url_edit.setText("postgresql://quay_1@may-chu:5432/trung_tam")
    wiz.next()
    assert wiz.currentPage() is wiz.central_page
    message = wiz.central_page.errors.message("central_url")
    assert "dịch vụ đồng bộ của thành phố" in message and "https://" in message
    wiz.central_page.url_edit.setText("https://dongbo.danang.gov.vn:8443")
    wiz.next()  # the service's address without the credential issued for this counter
    assert wiz.currentPage() is wiz.central_page
    assert "thông tin xác thực" in wiz.central_page.errors.message("sync_credential")
    assert wiz.isVisible()


@pytest.mark.parametrize("demo", [False, True])
def test_start_app_offers_the_wizard_only_on_a_real_new_install(
    qtbot: Any, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: bool
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(app_module, "log_dir", lambda: tmp_path / "logs")
    args = argparse.Namespace(db=str(tmp_path / "new.db"), now="2026-03-02 09:00", demo=demo, json=False, command=None)
    running = app_module.start_app(args)
    window = running.window
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.counter_label.text() != "Quầy —", timeout=20_000)
        QApplication.processEvents()
        if demo:
            assert window.first_run is None
            assert window.counter_label.text().startswith("Quầy 1 – ")
        else:
            assert window.first_run is not None and window.first_run.isVisible()
            assert window.first_run.currentPage() is window.first_run.agency_page
            window.first_run.reject()  # "Để sau": the window stays usable, the wizard is not forced
            qtbot.waitUntil(lambda: window.first_run is None)
            assert window.counter_label.text() == "Quầy chưa được thiết lập (bấm “Thiết lập”)"
            assert isinstance(window.open_settings(), FirstRunWizard)  # "Thiết lập" asks the questions again
    finally:
        app_module.stop_app(running)
        running.scanner.deleteLater()
        running.runner.deleteLater()
