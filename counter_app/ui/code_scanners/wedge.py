"""ScannerFilter: tells a keyboard-wedge scanner's burst from typing, application-wide, and takes it back."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from counter_app.ui.qt.qt_compat import emit

MAX_GAP_S = 0.030  # a scanner types a character every few ms; people need 50 ms or more even in a burst
MIN_LENGTH = 8  # dossier codes and ID-card QR payloads are far longer; short bursts are typing rollover
# What ends a burst: scanners are set to send Enter (the factory default) or Tab after the code.
_END_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
# A USB scanner is a keyboard: it presses Shift (press, key, release) around every capital and `|`, and a
# layout may need AltGr. These presses carry no text and are no part of the code: they neither end a burst nor
# count as the gap between two of its characters.
_MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
        Qt.Key.Key_Super_L,
        Qt.Key.Key_Super_R,
    }
)
_SHORTCUT_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
)


@dataclass
class _Snapshot:
    """A text widget's content before a burst started, to put back once the burst proves to be a scan."""

    widget: QWidget
    text: str
    cursor: int


def _editor_of(widget: QWidget) -> QWidget | None:
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        return widget
    if isinstance(widget, QComboBox) and widget.isEditable():
        return widget.lineEdit()
    if isinstance(widget, QAbstractSpinBox):
        return widget.findChild(QLineEdit)
    return None


def _take_snapshot(widget: QWidget) -> _Snapshot | None:
    editor = _editor_of(widget)
    if isinstance(editor, QLineEdit):
        return _Snapshot(editor, editor.text(), editor.cursorPosition())
    if isinstance(editor, QPlainTextEdit | QTextEdit):
        return _Snapshot(editor, editor.toPlainText(), editor.textCursor().position())
    return None


def _restore(snapshot: _Snapshot) -> None:
    editor = snapshot.widget
    if not shiboken6.isValid(editor):
        return
    if isinstance(editor, QLineEdit):
        editor.setText(snapshot.text)
        editor.setCursorPosition(snapshot.cursor)
    elif isinstance(editor, QPlainTextEdit | QTextEdit):
        editor.setPlainText(snapshot.text)
        cursor = editor.textCursor()
        cursor.setPosition(min(snapshot.cursor, len(snapshot.text)))
        editor.setTextCursor(cursor)


def _is_strict_ancestor(candidate: QObject, child: QObject) -> bool:
    node = child.parent()
    while node is not None:
        if node is candidate:
            return True
        node = node.parent()
    return False


class ScannerFilter(QObject):
    """Installed on the QApplication, it watches every key press wherever the focus is.

    A burst is at least `min_length` characters each arriving less than `max_gap` seconds after the previous
    one, ended by Enter or Tab within the same gap; modifier keys (the Shift a scanner presses around every
    capital, AltGr, Caps Lock) are ignored. The characters reach the focused widget as usual (nobody can tell
    a burst from typing at its first key); when the Enter proves it was a scan, the widget's text is put back
    as it was before the burst, the Enter is swallowed, and the burst is emitted. While a modal dialog is open
    nothing is detected: its fields may well want a scanned waybill number.
    """

    sig_scanned = Signal(str)
    """A complete scanner burst, without its Enter."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_gap: float = MAX_GAP_S,
        min_length: int = MIN_LENGTH,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._max_gap = max_gap
        self._min_length = min_length
        self._prefix = ""
        self._suffix = ""
        self._buffer: list[str] = []
        self._last_time: float | None = None
        self._snapshot: _Snapshot | None = None
        self._last_receiver: QObject | None = None
        self._last_key: tuple[int, str] | None = None

    def configure(self, *, max_gap: float, prefix: str = "", suffix: str = "") -> None:
        """The installation's settings: the longest gap between two keys of a scan, and the text a scanner is
        set to send before and after each code (taken off the code when present)."""
        self._max_gap = max_gap
        self._prefix = prefix
        self._suffix = suffix

    def _strip_affixes(self, scanned: str) -> str:
        if self._prefix and scanned.startswith(self._prefix):
            scanned = scanned[len(self._prefix) :]
        if self._suffix and scanned.endswith(self._suffix):
            scanned = scanned[: -len(self._suffix)]
        return scanned

    def reset(self) -> None:
        self._buffer = []
        self._snapshot = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        assert isinstance(event, QKeyEvent)
        signature = (event.key(), event.text())
        if self._is_propagation(watched, signature):
            return False
        self._last_receiver, self._last_key = watched, signature
        return self._on_key(watched, event)

    def _is_propagation(self, watched: QObject, signature: tuple[int, str]) -> bool:
        """An unaccepted key event travels up to the parents, and the filter sees it again each time."""
        last = self._last_receiver
        if last is None or signature != self._last_key or watched is last or not shiboken6.isValid(last):
            return False
        return _is_strict_ancestor(watched, last)

    def _on_key(self, widget: QWidget, event: QKeyEvent) -> bool:
        if event.key() in _MODIFIER_KEYS:
            return False
        now = self._clock()
        fast = self._last_time is not None and now - self._last_time < self._max_gap
        self._last_time = now
        if QApplication.activeModalWidget() is not None or event.modifiers() & _SHORTCUT_MODIFIERS:
            self.reset()
            return False
        if event.key() in _END_KEYS:
            if fast and len(self._buffer) >= self._min_length:
                scanned = self._strip_affixes("".join(self._buffer))
                if self._snapshot is not None:
                    _restore(self._snapshot)
                self.reset()
                # after the event filter returns, so that whatever the scan opens does not run inside it
                QTimer.singleShot(0, self, lambda: emit(self.sig_scanned, scanned))
                return True
            self.reset()
            return False
        text = event.text()
        if not text or not text.isprintable():
            self.reset()
            return False
        if fast and self._buffer:
            self._buffer.append(text)
        else:
            self._buffer = [text]
            self._snapshot = _take_snapshot(widget)
        return False
