"""The clerk's loop (issue 16, item 9): key presses a scripted clerk needs, and how fast the window answers.

The real main window (offscreen, a fresh database with the demo catalogue, no accounts) is driven with QTest key
events sent to whatever has the focus, as a clerk's keyboard would, with the application-wide keyboard-wedge
scanner filter installed. One citizen, for "Chứng thực bản sao từ bản chính" (two required papers):

(a) the CCCD QR arrives as a scanner burst (Shift pressed and released around every capital and `|`, Enter at the
    end; not counted); around it F2, the procedure (Down to it among the counter's recent procedures the empty
    picker offers, or part of its name when it is not there) and Enter, Tab to the checklist if the focus is not
    on it yet, Space per paper (Space ticks and moves on; Down only if the current row is not the next paper),
    Ctrl+Enter. Three orders (ORDERS: card first, procedure first, card scanned on the confirmation page of the
    citizen before, which needs no F2); the figure is the fewest keys, counted on the last round (a counter's
    ordinary day); the very first citizen of a new counter, with no recent procedure yet, is reported apart.
(b) the same with the applicant typed by hand instead of scanned: the identifier, the name, the birth date, the sex,
    the address, with the Tabs between the fields. Vietnamese is counted as a clerk types it with Telex (Unikey,
    EVKey): a tone or a hat is one more key ("ễ" = e e x), a capital one more (Shift).

Every key is sent with QTest to the focused widget; the scanner's clock moves 150 ms per typed key and 4 ms per
scanned one (the filter tells a burst from typing by timing). Times are wall clock with the event loop running:
F2 until the focused field of the empty intake is visible, enabled and editable (the picker field after an
accept, the first F2 building the screen is reported apart), and Ctrl+Enter until the confirmation page is
shown with the dossier's code (the accept, its durable commit on the worker and the page); since the accept shows
the confirmation, not a preview, also the receipt's print key (Space) until its preview shows its pages. Medians
over RUNS rounds of the orders, citizens taken in one after another.

    QT_QPA_PLATFORM=offscreen python scripts/bench_loop.py   (make bench runs it in a child: figures_in_child)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KEYS_TARGET = 8  # (a): at most 8 key presses besides the scan
F2_TARGET_MS = 100.0
ACCEPT_TARGET_MS = 300.0
RUNS = 5
SCAN_FIRST = "F2, card, procedure"
PROCEDURE_FIRST = "F2, procedure, card"
SCAN_NEXT = "card on the confirmation page, procedure"  # a scan there starts the next intake: no F2
BY_HAND = "by hand"
ORDERS = (SCAN_FIRST, PROCEDURE_FIRST, SCAN_NEXT, BY_HAND)  # SCAN_NEXT needs the confirmation of the one before
SCANNED = (SCAN_FIRST, PROCEDURE_FIRST, SCAN_NEXT)

PROCEDURE = "Chứng thực bản sao từ bản chính"  # DEMO.CTBS: two required papers
PROCEDURE_QUERY = "chung"  # what the clerk types of its name: the shortest word that puts it first
PERSON_ID = "079190012345"
PERSON_NAME = "Nguyễn Thị Ấu"
BIRTH_DATE = "05091990"  # the clerk types the digits; the field shows 05/09/1990
SEX = "Nữ"
ADDRESS = "12 Đường Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"
ID_CARD_QR = f"{PERSON_ID}|025123456|{PERSON_NAME}|05091990|{SEX}|{ADDRESS}|10082021"
TYPING_GAP_S, SCAN_GAP_S = 0.15, 0.004
_SHIFTED = set('~!@#$%^&*()_+{}|:"<>?')
_TELEX_EXTRA_MARKS = {"\u0302", "\u0306", "\u031b", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def telex_keys(text: str) -> int:
    """Key presses to type `text` with Telex: one per letter, one per hat, breve, horn or tone, one for đ's
    second d, one Shift per capital or shifted symbol."""
    keys = 0
    for ch in text:
        base = unicodedata.normalize("NFD", ch)
        keys += 1 + sum(1 for mark in base[1:] if mark in _TELEX_EXTRA_MARKS)
        keys += ch in "đĐ"
        keys += ch.isupper() or ch in _SHIFTED
    return keys


@dataclass
class LoopBench:
    keys_by_order: dict[str, int]  # key presses besides the scan, for each order of the clerk's steps
    steps_by_order: dict[str, list[str]]
    f2_ms: list[float]  # F2 from the confirmation page to the picker ready, one per citizen after the first
    first_f2_ms: float  # the first F2 of the day: builds the intake screen
    accept_ms: list[float]
    preview_ms: list[float]  # the receipt's print button to its preview shown; the first one loads reportlab
    runs: int = 0
    notes: list[str] = field(default_factory=list)
    # the day's first citizen at a new counter, before it has taken anything in (no recent procedure to offer)
    first_citizen_keys: int = 0
    first_citizen_steps: list[str] = field(default_factory=list)

    @property
    def keys_scanned(self) -> int:
        """(a): the fewest of the orders with the card scanned."""
        return min(self.keys_by_order[order] for order in SCANNED)

    @property
    def keys_typed(self) -> int:
        return self.keys_by_order[BY_HAND]

    @property
    def f2_median(self) -> float:
        return statistics.median(self.f2_ms)

    @property
    def accept_median(self) -> float:
        return statistics.median(self.accept_ms)


class _Clock:
    """The scanner filter's clock, moved by the script: typing is 150 ms a key, a scanner 4 ms."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _wait(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Run the event loop until `condition()` holds (a local QEventLoop polled every ms: PySide6 6.12.0's
    processEvents leaks a reference to None per call)."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(1)

    def check() -> None:
        if condition() or time.monotonic() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if not condition():
        raise TimeoutError(f"{what}: not done after {timeout_s:.0f} s")


class Clerk:
    """Sends keys to whatever has the focus and counts them (the scan apart)."""

    def __init__(self, clock: _Clock) -> None:
        self.clock = clock
        self.count = 0
        self.steps: list[str] = []

    def _focus(self) -> Any:
        from PySide6.QtWidgets import QApplication

        widget = QApplication.focusWidget()
        if widget is None:
            raise RuntimeError("nothing has the keyboard focus")
        return widget

    def press(self, key: Any, modifier: Any = None, what: str = "") -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.clock.t += TYPING_GAP_S
        QTest.keyClick(self._focus(), key, modifier or Qt.KeyboardModifier.NoModifier)
        self.count += 1
        self.steps.append(what or key.name.removeprefix("Key_"))

    def type(self, text: str, what: str) -> None:
        """One key event per character (QTest.keyClicks aborts on non-ASCII); counted as Telex keys."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        for ch in text:
            self.clock.t += TYPING_GAP_S
            QTest.sendKeyEvent(
                QTest.KeyAction.Click, self._focus(), Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
            )
        keys = telex_keys(text)
        self.count += keys
        self.steps.append(f"{what} ({keys})")

    def scan(self, text: str) -> None:
        """A USB keyboard-wedge scanner's burst, not counted (tests/ui/ui_support.py `scan`)."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        widget = self._focus()
        self.clock.t += 0.5
        for ch in text:
            self.clock.t += SCAN_GAP_S
            if not ch.isascii():
                QTest.sendKeyEvent(
                    QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
                )
                continue
            shift = ch.isupper() or ch in _SHIFTED
            mod = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
            if shift:
                QTest.sendKeyEvent(QTest.KeyAction.Press, widget, Qt.Key.Key_Shift, "", mod)
                self.clock.t += SCAN_GAP_S
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key(ord(ch.upper())), ch, mod)
            if shift:
                self.clock.t += SCAN_GAP_S
                QTest.sendKeyEvent(
                    QTest.KeyAction.Release, widget, Qt.Key.Key_Shift, "", Qt.KeyboardModifier.NoModifier
                )
        self.clock.t += SCAN_GAP_S
        QTest.keyClick(widget, Qt.Key.Key_Return)
        self.steps.append("[scan]")

    def tab_to(self, target: Any, what: str, limit: int = 40, *, back: bool = False) -> None:
        """Tab (Shift+Tab when `back`) until `target` has the focus (counted)."""
        from PySide6.QtCore import Qt

        for _ in range(limit):
            if self._focus() is target:
                return
            if back:
                self.press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier, f"Shift+Tab→{what}")
            else:
                self.press(Qt.Key.Key_Tab, what=f"Tab→{what}")
        raise RuntimeError(f"{what}: not reached with {limit} Tabs (focus on {self._focus()!r})")


def _ready_for_input(widget: Any) -> bool:
    from PySide6.QtWidgets import QApplication, QLineEdit

    focus = QApplication.focusWidget()
    return (
        focus is widget
        and isinstance(focus, QLineEdit)
        and focus.isVisible()
        and focus.isEnabled()
        and not focus.isReadOnly()
        and focus.window().isActiveWindow()
    )


def _scan_card(window: Any, clerk: Clerk) -> None:
    scans: list[str] = []
    window.sig_scan_handled.connect(scans.append)
    clerk.scan(ID_CARD_QR)
    _wait(lambda: scans == ["id_card"], 10, "CCCD scan")
    window.sig_scan_handled.disconnect(scans.append)
    if window.intake.lines["identifier"].text() != PERSON_ID:
        raise RuntimeError("the scan did not fill the applicant")


def _one_citizen(window: Any, runner: Any, clerk: Clerk, order: str) -> tuple[float | None, float]:
    """One intake from the confirmation page of the one before (or the queue) to its own confirmation page;
    (F2 ms or None without F2, accept ms). `order`: one of ORDERS."""
    from PySide6.QtCore import Qt

    f2_ms = None
    if order == SCAN_NEXT:
        if window.intake is None or not window.intake.showing_confirmation():
            raise RuntimeError("a scan on the confirmation page needs a confirmation page")
        _scan_card(window, clerk)
        if window.intake.showing_confirmation():
            raise RuntimeError("the scan on the confirmation page did not start the next intake")
    else:
        start = time.perf_counter()
        clerk.press(Qt.Key.Key_F2)
        _wait(lambda: window.intake is not None and _ready_for_input(window.intake.picker.edit), 10, "F2")
        f2_ms = (time.perf_counter() - start) * 1000
    intake = window.intake
    if order == SCAN_FIRST:
        _scan_card(window, clerk)
    if order in (SCAN_FIRST, SCAN_NEXT):
        clerk.tab_to(intake.picker.edit, "procedure", back=True)
    _choose_procedure(runner, intake, clerk)
    if intake.picker.procedure().name != PROCEDURE:
        raise RuntimeError(f"{PROCEDURE_QUERY!r} chose {intake.picker.procedure().name!r}")
    if order == PROCEDURE_FIRST:
        _scan_card(window, clerk)
    if order == BY_HAND:
        lines = intake.lines
        clerk.tab_to(lines["identifier"], "identifier")
        clerk.type(PERSON_ID, "identifier")
        clerk.tab_to(lines["name"], "name")
        clerk.type(PERSON_NAME, "name")
        clerk.tab_to(lines["birth_date"], "birth date")
        clerk.type(BIRTH_DATE, "birth date")
        clerk.tab_to(intake.sex, "sex")
        for _ in range(5):
            if intake.sex.currentText() == SEX:
                break
            clerk.press(Qt.Key.Key_Down, what="Down (sex)")
        clerk.tab_to(lines["address"], "address")
        clerk.type(ADDRESS, "address")
    clerk.tab_to(intake.papers, "papers")
    if intake.papers.currentRow() < 0:
        raise RuntimeError("the checklist has no current row when it takes the focus")
    for paper in range(intake.papers.rowCount()):
        if intake.papers.currentRow() != paper:
            clerk.press(Qt.Key.Key_Down, what="Down")
        clerk.press(Qt.Key.Key_Space, what=f"Space (paper {paper + 1})")
    if intake.papers.missing_required():
        raise RuntimeError(f"papers not ticked: {intake.papers.missing_required()}")
    start = time.perf_counter()
    clerk.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier, "Ctrl+Enter (accept)")

    def answered() -> bool:  # the confirmation page, or a refusal in place
        return (intake.showing_confirmation() and intake.confirmation.isVisible()) or bool(intake.general_error.text())

    _wait(answered, 20, "accept")
    accept_ms = (time.perf_counter() - start) * 1000
    if not intake.showing_confirmation():
        errors = {k: intake.field_error(k) for k in intake.lines if intake.field_error(k)}
        raise RuntimeError(f"not accepted: {intake.general_error.text()} {errors}")
    return f2_ms, accept_ms


def _choose_procedure(runner: Any, intake: Any, clerk: Clerk) -> None:
    """From the picker's empty line: Down to the procedure among the counter's recent ones and Enter when it is
    offered there, else part of its name and Enter."""
    from PySide6.QtCore import Qt

    _wait(lambda: runner.pending == 0, 10, "recent procedures")  # what the clerk sees on the empty picker
    picker = intake.picker
    recent = picker.match_names() if picker.showing_recent() else []
    wanted = [i for i, name in enumerate(recent) if name.startswith(f"{PROCEDURE} (")]
    if wanted:
        for _ in range(wanted[0] + 1):
            clerk.press(Qt.Key.Key_Down, what="Down (recent procedures)")
    else:
        clerk.type(PROCEDURE_QUERY, "procedure")
        _wait(lambda: bool(picker.match_names()), 10, "procedure matches")
    clerk.press(Qt.Key.Key_Return, what="Enter (procedure)")
    _wait(lambda: picker.procedure() is not None, 10, "procedure chosen")


def _preview_receipt(window: Any, clerk: Clerk) -> float:
    """From the confirmation page: Shift+Tab to "In giấy tiếp nhận", Space; ms from the Space to the preview
    shown with its pages loaded. The preview is then closed (Esc)."""
    from PySide6.QtCore import Qt
    from PySide6.QtPdf import QPdfDocument

    from counter_app.ui.documents.print_preview import PrintPreview

    intake = window.intake
    [button] = [b for b in intake.confirmation.print_buttons if b.objectName() == "print_receipt"]
    clerk.tab_to(button, "print receipt", back=True)
    before = set(window.findChildren(PrintPreview))

    def shown() -> Any:
        for preview in window.findChildren(PrintPreview):
            if preview not in before and preview.isVisible() and preview.pdf.status() == QPdfDocument.Status.Ready:
                return preview
        return None

    start = time.perf_counter()
    clerk.press(Qt.Key.Key_Space, what="Space (print receipt)")
    _wait(lambda: shown() is not None, 30, "receipt preview")
    ms = (time.perf_counter() - start) * 1000
    preview = shown()
    preview.reject()
    _wait(lambda: not preview.isVisible(), 10, "preview closed")
    return ms


def bench_loop(runs: int = RUNS) -> LoopBench:
    from PySide6.QtWidgets import QApplication

    from counter_app.bootstrap import build_services
    from counter_app.domain.clock import VN_TZ
    from counter_app.services.common.clock import DrillClock
    from counter_app.ui.code_scanners.wedge import ScannerFilter
    from counter_app.ui.qt.task_runner import TaskRunner
    from counter_app.ui.shell.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    clock = _Clock()
    scanner = ScannerFilter(clock=clock)
    app.installEventFilter(scanner)
    with tempfile.TemporaryDirectory(prefix="counter-app-bench-loop-") as tmp:
        # a Monday morning: every procedure's due date is an ordinary one
        services = build_services(Path(tmp) / "loop.db", DrillClock(datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)))
        services.setup.init_local(agency_code="000.00.99.H29", agency_name="UBND phường Minh Họa", counter=1)
        runner = TaskRunner()
        window = MainWindow(runner, scanner=scanner, open_documents=True)
        try:
            ready: list[bool] = []
            window.sig_services_ready.connect(lambda: ready.append(True))
            window.show()
            window.set_services(services)
            _wait(lambda: bool(ready) and runner.pending == 0, 60, "services")
            window.activateWindow()
            _wait(lambda: QApplication.activeWindow() is window, 10, "active window")
            f2: list[float] = []
            accept: list[float] = []
            preview: list[float] = []
            counts: dict[str, tuple[int, list[str]]] = {}
            first_citizen: tuple[int, list[str]] = (0, [])
            for i in range(len(ORDERS) * runs):
                order = ORDERS[i % len(ORDERS)]
                clerk = Clerk(clock)
                f2_ms, accept_ms = _one_citizen(window, runner, clerk, order)
                if f2_ms is not None:
                    f2.append(f2_ms)
                accept.append(accept_ms)
                counts[order] = (clerk.count, clerk.steps)  # the last round's: the counter's ordinary day
                if i == 0:
                    first_citizen = (clerk.count, clerk.steps)
                _wait(lambda: runner.pending == 0, 20, "idle")
                if order == PROCEDURE_FIRST and services.capabilities.documents:
                    # the receipt's preview, then back to the confirmation page for the next citizen's scan
                    preview.append(_preview_receipt(window, Clerk(clock)))
                    window.activateWindow()
                    _wait(lambda: QApplication.activeWindow() is window, 10, "active window")
                    shown = window.intake
                    assert shown is not None
                    shown.confirmation.focus_next()
                    _wait(lambda: runner.pending == 0, 20, "idle")
            return LoopBench(
                keys_by_order={order: counts[order][0] for order in ORDERS},
                steps_by_order={order: counts[order][1] for order in ORDERS},
                f2_ms=f2[1:],
                first_f2_ms=f2[0],
                accept_ms=accept,
                preview_ms=preview,
                runs=len(accept),
                first_citizen_keys=first_citizen[0],
                first_citizen_steps=first_citizen[1],
            )
        finally:
            runner.wait_for_workers()
            window.close()
            window.deleteLater()
            app.removeEventFilter(scanner)
            services.close()


def compact(steps: list[str]) -> str:
    """The steps with repeats folded: "Tab→papers ×3"."""
    out: list[str] = []
    run = 0
    for i, step in enumerate(steps):
        run += 1
        if i + 1 < len(steps) and steps[i + 1] == step:
            continue
        out.append(f"{step} ×{run}" if run > 1 else step)
        run = 0
    return ", ".join(out)


def figures(result: LoopBench) -> list[tuple[str, float, str, str, bool | None, str]]:
    """(name, value, unit, target, met, note) of each figure, for this module's table and make bench's."""
    keys = result.keys_by_order
    best = min(SCANNED, key=keys.__getitem__)
    others = ", ".join(f"{order} {keys[order]}" for order in SCANNED if order != best)
    rows: list[tuple[str, float, str, str, bool | None, str]] = [
        (
            "clerk's loop (a): key presses besides the CCCD scan, 2 papers",
            result.keys_scanned,
            "",
            f"<= {KEYS_TARGET}",
            result.keys_scanned <= KEYS_TARGET,
            f"{best}: {compact(result.steps_by_order[best])}; other orders: {others}; "
            f"first citizen at a new counter ({ORDERS[0]}, no recent procedure yet): {result.first_citizen_keys}",
        ),
        (
            "clerk's loop (b): key presses, applicant typed by hand (Telex)",
            result.keys_typed,
            "",
            "—",
            None,
            f"{result.keys_typed / max(1, result.keys_scanned):.1f}× (a)",
        ),
        (
            f"clerk's loop: F2 to an intake ready for input, median of {len(result.f2_ms)}",
            result.f2_median,
            "ms",
            f"< {F2_TARGET_MS:.0f} ms",
            result.f2_median < F2_TARGET_MS,
            f"first F2 of the day (builds the screen) {result.first_f2_ms:.0f} ms",
        ),
        (
            f"clerk's loop: accept key to the confirmation shown, median of {result.runs}",
            result.accept_median,
            "ms",
            f"< {ACCEPT_TARGET_MS:.0f} ms",
            result.accept_median < ACCEPT_TARGET_MS,
            f"max {max(result.accept_ms):.0f} ms",
        ),
    ]
    if result.preview_ms:
        later = result.preview_ms[1:] or result.preview_ms
        rows.append(
            (
                f"clerk's loop: print key to the receipt's preview shown, median of {len(later)}",
                statistics.median(later),
                "ms",
                f"< {ACCEPT_TARGET_MS:.0f} ms",
                statistics.median(later) < ACCEPT_TARGET_MS,
                f"first of the day (loads reportlab, QtPdf) {result.preview_ms[0]:.0f} ms; "
                f"accept + print key {result.accept_median + statistics.median(later):.0f} ms",
            )
        )
    return rows


def figures_in_child() -> list[tuple[str, float, str, str, bool | None, str]]:
    """`figures(bench_loop())` in a fresh offscreen process (make bench's own process has no QApplication)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--json"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench_loop.py failed ({done.returncode}):\n{done.stderr[-4000:]}")
    last = done.stdout.strip().splitlines()[-1]
    return [tuple(row) for row in json.loads(last)]


def main() -> int:
    result = bench_loop()
    if "--json" in sys.argv[1:]:
        print(json.dumps(figures(result), ensure_ascii=False))
        return 0
    for name, value, unit, target, met, note in figures(result):
        shown = "—" if met is None else ("yes" if met else "NO")
        print(f"{name:<78} {value:>9.1f} {unit:<2} {target:>16} {shown:>4}  {note}")
    for order in ORDERS:
        print(f"  {order} ({result.keys_by_order[order]}): {compact(result.steps_by_order[order])}")
    print(f"  first citizen at a new counter ({result.first_citizen_keys}): {compact(result.first_citizen_steps)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
