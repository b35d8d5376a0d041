"""Helpers of the UI tests: typing like a clerk (one character at a time), a scanner's burst, sample dossiers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.intake import IntakeForm
from counter_app.services.common.clock import DrillClock
from counter_app.ui.qt.task_runner import TaskRunner

AGENCY = "000.00.99.H29"
AGENCY_NAME = "Trung tâm Phục vụ hành chính công phường Thử Nghiệm"
START = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)  # Monday, an ordinary working day
# A woman born 05/09/1990, registered in Ho Chi Minh City (079): century-and-sex digit 1, year 90.
PERSON_ID = "079190012345"
PERSON_NAME = "Nguyễn Thị Ấu"
ID_CARD_QR = (
    f"{PERSON_ID}|025123456|{PERSON_NAME}|05091990|Nữ|12 Đường Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh|10082021"
)
BIRTH_REGISTRATION = "1.001193"  # Đăng ký khai sinh: same day, cut-off 15:00 (demo catalogue)
MARRIAGE = "DEMO.KH"  # Đăng ký kết hôn: 5 working days (demo catalogue)


def open_services(db_path: Path) -> Services:
    """Services over `db_path` at Monday 02/03/2026 09:00, set up as counter 1 of the test agency."""
    services = build_services(db_path, DrillClock(START))
    services.setup.init_local(agency_code=AGENCY, agency_name=AGENCY_NAME, counter=1)
    return services


class FakeClock:
    """Monotonic seconds the test moves by hand, for the scanner's timing."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def type_text(widget: QWidget, text: str, clock: FakeClock | None = None, gap: float = 0.15) -> None:
    """Type like a person: one key event per character (qtbot.keyClicks aborts on non-ASCII)."""
    for ch in text:
        if clock is not None:
            clock.advance(gap)
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def press_enter(widget: QWidget, clock: FakeClock | None = None, gap: float = 0.15) -> None:
    if clock is not None:
        clock.advance(gap)
    QTest.keyClick(widget, Qt.Key.Key_Return)


# The ASCII characters a US-layout keyboard types with Shift held, besides the capitals.
_SHIFTED = set('~!@#$%^&*()_+{}|:"<>?')


def _scanner_key(widget: QWidget, action: QTest.KeyAction, key: int, text: str, shift: bool) -> None:
    modifiers = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    QTest.sendKeyEvent(action, widget, Qt.Key(key), text, modifiers)


def scan(widget: QWidget, text: str, clock: FakeClock, gap: float = 0.004, end: str = "enter") -> None:
    """A USB keyboard-wedge scanner, as its HID events arrive: after a pause, each character a few milliseconds
    apart, Shift pressed before and released after every capital and shifted symbol (`|`, `:`), then Enter (or
    Tab). A US-layout scanner cannot type Vietnamese letters: those arrive as committed text, as an input method
    would send them (what a scanner set to send Unicode by Alt codes ends up delivering)."""
    clock.advance(0.5)
    for ch in text:
        clock.advance(gap)
        if not ch.isascii():
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)
            continue
        shift = ch.isupper() or ch in _SHIFTED
        if shift:
            _scanner_key(widget, QTest.KeyAction.Press, Qt.Key.Key_Shift.value, "", True)
            clock.advance(gap)
        _scanner_key(widget, QTest.KeyAction.Click, ord(ch.upper()), ch, shift)
        if shift:
            clock.advance(gap)
            _scanner_key(widget, QTest.KeyAction.Release, Qt.Key.Key_Shift.value, "", False)
    clock.advance(gap)
    QTest.keyClick(widget, Qt.Key.Key_Tab if end == "tab" else Qt.Key.Key_Return)


def person_form(procedure: str = MARRIAGE, **changes: object) -> IntakeForm:
    form = IntakeForm(
        procedure_code=procedure,
        name=PERSON_NAME,
        identifier=PERSON_ID,
        birth_date="05/09/1990",
        sex="Nữ",
        address="12 Đường Lê Lợi, Phường Bến Thành",
        phone="0903123456",
    )
    return replace(form, **changes)  # type: ignore[arg-type]


def settle(qtbot: Any, runner: TaskRunner | None = None, timeout: int = 10_000) -> None:
    """Drive the event loop until the work that could still act has finished: every task of `runner` delivered,
    then everything queued on the event loop until now (zero timers, queued signals) run. A test asserts that
    nothing happened after this, never after a fixed wait."""
    if runner is not None:
        qtbot.waitUntil(lambda: runner.pending == 0, timeout=timeout)
    done: list[bool] = []
    QTimer.singleShot(0, lambda: done.append(True))
    qtbot.waitUntil(lambda: done != [], timeout=timeout)
