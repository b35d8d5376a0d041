"""The emit workaround: thousands of signal emits leave the reference count of True where it was."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

from counter_app.ui.qt.qt_compat import emit


class Emitter(QObject):
    sig_value = Signal(int)
    """A test signal."""


def test_emit_keeps_true_alive(qtbot: Any) -> None:
    emitter = Emitter()
    seen: list[int] = []
    emitter.sig_value.connect(seen.append)
    before = sys.getrefcount(True)
    for i in range(3000):  # PySide6 6.12.0 without the workaround aborts the interpreter long before this
        emit(emitter.sig_value, i)
    assert len(seen) == 3000
    assert abs(sys.getrefcount(True) - before) < 50
