"""The keyboard-wedge scanner: a fast burst ending with Enter is a scan, wherever the focus is; typing is not."""

from __future__ import annotations

import unicodedata
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from ui.ui_support import (
    ID_CARD_QR,
    PERSON_ID,
    PERSON_NAME,
    FakeClock,
    person_form,
    press_enter,
    scan,
    settle,
    type_text,
)

from counter_app.bootstrap import Services
from counter_app.ui.code_scanners.wedge import ScannerFilter
from counter_app.ui.dossier.dossier_screen import DossierScreen
from counter_app.ui.shell.main_window import MainWindow


def test_burst_in_the_search_box_opens_the_dossier(
    qtbot: Any, window: MainWindow, services: Services, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    scanner.sig_scanned.connect(window.handle_scan)
    code = services.intake.accept(person_form()).code
    assert code is not None
    window.search_edit.setFocus()
    type_text(window.search_edit, "Ngu", scanner_clock)  # the clerk had started typing a name
    with qtbot.waitSignal(window.sig_dossier_opened, timeout=5000) as opened:
        scan(window.search_edit, code, scanner_clock)
    screen = opened.args[0]
    assert isinstance(screen, DossierScreen)
    qtbot.waitUntil(lambda: screen.bundle() is not None)
    assert screen.bundle().state.code == code
    assert window.workspace.currentWidget() is screen
    # the burst was taken back out of the field, what the clerk typed stays
    assert window.search_edit.text() == "Ngu"


def test_slow_typing_of_the_same_characters_is_not_a_scan(
    qtbot: Any, window: MainWindow, services: Services, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    scanner.sig_scanned.connect(window.handle_scan)
    code = services.intake.accept(person_form()).code
    assert code is not None
    window.search_edit.setFocus()
    with qtbot.assertNotEmitted(scanner.sig_scanned, wait=100):
        type_text(window.search_edit, code, scanner_clock, gap=0.12)
        press_enter(window.search_edit, scanner_clock, gap=0.12)
    assert window.search_edit.text() == code
    assert window.dossier_tabs == {}


def test_a_short_fast_burst_is_typing(
    qtbot: Any, window: MainWindow, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    window.search_edit.setFocus()
    with qtbot.assertNotEmitted(scanner.sig_scanned, wait=50):
        scan(window.search_edit, "1234567", scanner_clock)  # 7 characters: below the minimum
    assert window.search_edit.text() == "1234567"


def test_id_card_qr_fills_the_intake_form(
    qtbot: Any, window: MainWindow, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    scanner.sig_scanned.connect(window.handle_scan)
    window.intake_action.trigger()  # F2
    intake = window.intake
    assert intake is not None
    intake.lines["phone"].setFocus()
    type_text(intake.lines["phone"], "09", scanner_clock)
    with qtbot.waitSignal(window.sig_scan_handled, timeout=5000) as handled:
        scan(intake.lines["phone"], ID_CARD_QR, scanner_clock)
    assert handled.args == ["id_card"]
    assert intake.lines["identifier"].text() == PERSON_ID
    assert intake.lines["name"].text() == PERSON_NAME
    assert intake.lines["birth_date"].text() == "05/09/1990"
    assert intake.sex.currentText() == "Nữ"
    assert intake.lines["address"].text() == "12 Đường Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"
    assert intake.lines["phone"].text() == "09"  # the QR's characters never stay in the focused field


def test_scan_wherever_the_focus_is_emits_once(
    qtbot: Any, window: MainWindow, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    scans: list[str] = []
    scanner.sig_scanned.connect(scans.append)
    window.table.setFocus()  # a table: keys it ignores travel up to its parents, seen again by the filter
    scan(window.table, "000.00.99.H29-260302-1001", scanner_clock)
    qtbot.waitUntil(lambda: scans != [])
    settle(qtbot)  # a second emission would come from a zero timer queued by the same burst
    assert scans == ["000.00.99.H29-260302-1001"]


def test_a_code_scanned_into_an_intake_field_opens_the_dossier_and_leaves_the_field_as_it_was(
    qtbot: Any, window: MainWindow, services: Services, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    scanner.sig_scanned.connect(window.handle_scan)
    code = services.intake.accept(person_form()).code
    assert code is not None and any(ch.isupper() for ch in code)  # the H of the agency: Shift is pressed
    window.intake_action.trigger()  # F2
    intake = window.intake
    assert intake is not None
    intake.lines["phone"].setFocus()
    type_text(intake.lines["phone"], "0903", scanner_clock)
    with qtbot.waitSignal(window.sig_dossier_opened, timeout=5000) as opened:
        scan(intake.lines["phone"], code, scanner_clock)
    screen = opened.args[0]
    qtbot.waitUntil(lambda: screen.bundle() is not None)
    assert screen.bundle().state.code == code
    assert intake.lines["phone"].text() == "0903"


def test_a_scanner_set_to_end_with_tab_is_recognised(
    qtbot: Any, window: MainWindow, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    scans: list[str] = []
    scanner.sig_scanned.connect(scans.append)
    window.search_edit.setFocus()
    scan(window.search_edit, "000.00.99.H29-260302-1001", scanner_clock, end="tab")
    qtbot.waitUntil(lambda: scans != [])
    assert scans == ["000.00.99.H29-260302-1001"]
    assert window.search_edit.text() == ""


def test_an_input_method_burst_is_neither_a_scan_nor_swallowed(
    qtbot: Any, window: MainWindow, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    """Unikey corrects a word by backspaces and the composed letters well under a millisecond apart; no Enter
    follows at scanner speed, so it is typing, and every character stays in the field."""
    scans: list[str] = []
    scanner.sig_scanned.connect(scans.append)
    window.search_edit.setFocus()
    type_text(window.search_edit, "Nguyeenx", scanner_clock)  # Telex, as typed
    for _ in range(4):
        scanner_clock.advance(0.0003)
        QTest.keyClick(window.search_edit, Qt.Key.Key_Backspace)
    type_text(window.search_edit, "ễn Văn Thành", scanner_clock, gap=0.0003)  # the correction, in a burst
    press_enter(window.search_edit, scanner_clock, gap=0.25)  # the clerk presses Enter to search
    settle(qtbot)  # a scan is emitted from a zero timer queued by the Enter
    assert window.search_edit.text() == "Nguyễn Văn Thành"
    assert scans == []


def test_a_name_stripped_by_a_us_layout_scanner_is_flagged_for_the_clerk_to_check(
    qtbot: Any, window: MainWindow, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    """A US-layout scanner in keyboard mode types the CCCD QR's letters without their marks: the numbers, dates
    and sex are filled, the name too, but with a notice under it instead of being taken as the citizen's."""
    scanner.sig_scanned.connect(window.handle_scan)
    stripped = fold_qr(ID_CARD_QR)
    assert stripped.isascii() and "Nguyen Thi Au" in stripped
    window.intake_action.trigger()  # F2
    intake = window.intake
    assert intake is not None
    with qtbot.waitSignal(window.sig_scan_handled, timeout=5000) as handled:
        scan(intake.lines["phone"], stripped, scanner_clock)
    assert handled.args == ["id_card"]
    assert intake.lines["identifier"].text() == PERSON_ID
    assert intake.lines["birth_date"].text() == "05/09/1990"
    assert intake.sex.currentText() == "Nữ"  # "Nu" is unambiguous
    assert intake.lines["name"].text() == "Nguyen Thi Au"
    assert intake.errors.message("name").startswith("Kiểm tra lại họ tên")
    assert intake.errors.message("address").startswith("Kiểm tra lại địa chỉ")
    assert intake.lines["name"].hasFocus() and intake.lines["name"].selectedText() == "Nguyen Thi Au"
    # the clerk types the name as on the card: the notice goes
    type_text(intake.lines["name"], "Nguyễn Thị Ấu")
    assert intake.lines["name"].text() == "Nguyễn Thị Ấu"
    assert intake.errors.message("name") == ""


def test_a_keyboard_scan_with_the_marks_raises_no_notice(
    qtbot: Any, window: MainWindow, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    scanner.sig_scanned.connect(window.handle_scan)
    window.intake_action.trigger()  # F2
    intake = window.intake
    assert intake is not None
    with qtbot.waitSignal(window.sig_scan_handled, timeout=5000):
        scan(intake.lines["phone"], ID_CARD_QR, scanner_clock)
    assert intake.lines["name"].text() == PERSON_NAME
    assert intake.errors.message("name") == ""
    assert intake.errors.message("address") == ""


def fold_qr(text: str) -> str:
    """What a US-layout scanner types of a QR: each letter without its marks, the case kept."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("Đ", "D").replace("đ", "d")


def test_configured_prefix_suffix_and_gap(
    qtbot: Any, window: MainWindow, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    """A scanner set to send `~` before and `#` after each code, and slower than the default 30 ms per key."""
    scans: list[str] = []
    scanner.sig_scanned.connect(scans.append)
    scanner.configure(max_gap=0.045, prefix="~", suffix="#")
    window.search_edit.setFocus()
    scan(window.search_edit, "~000.00.99.H29-260302-1001#", scanner_clock, gap=0.012)  # Shift: 3 gaps a capital
    qtbot.waitUntil(lambda: scans != [])
    assert scans == ["000.00.99.H29-260302-1001"]
    assert window.search_edit.text() == ""


def test_the_receipts_status_link_scanned_opens_the_dossier(
    qtbot: Any, window: MainWindow, services: Services, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    """The receipt's QR is the citizen's status link (…/s/<code>?k=<key>): the desk still opens the dossier."""
    scanner.sig_scanned.connect(window.handle_scan)
    code = services.intake.accept(person_form()).code
    assert code is not None
    window.search_edit.setFocus()
    with qtbot.waitSignal(window.sig_dossier_opened, timeout=5000) as opened:
        scan(window.search_edit, f"https://tra-cuu.hcm.example/s/{code}?k=Ab-_0123456789abcdefgh", scanner_clock)
    screen = opened.args[0]
    assert isinstance(screen, DossierScreen)
    qtbot.waitUntil(lambda: screen.bundle() is not None)
    assert window.search_edit.text() == ""
