"""Workarounds for defects of the pinned Qt binding, each probed at run time so it switches itself off once fixed."""

from __future__ import annotations

import ctypes
import functools
import logging
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

log = logging.getLogger(__name__)


class _Probe(QObject):
    sig_probe = Signal()
    """Emitted only by the probe."""


@functools.cache
def _emit_leaks_result() -> bool:
    """Whether `SignalInstance.emit` returns its bool without a reference (PySide6 6.12.0 does).

    Each Python-side emit then takes one reference from `True` for good; after a few hundred emits the
    interpreter deallocates `True` and aborts ("bool_dealloc: deallocating True or False").
    """
    probe = _Probe()
    rounds = 8
    before = sys.getrefcount(True)
    for _ in range(rounds):
        probe.sig_probe.emit()
    lost = before - sys.getrefcount(True)
    if lost < rounds:
        return False
    log.warning("this PySide6 build loses a reference to True per signal emit; compensating")
    for _ in range(lost):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return True


def emit(signal: SignalInstance, *args: Any) -> None:
    """`signal.emit(*args)`, giving back the reference the binding takes from the returned bool, if it does."""
    result: object = signal.emit(*args)  # type: ignore[func-returns-value]  # the stubs say None; it is a bool
    if _emit_leaks_result():
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))


# probed once, on the importing (UI) thread, before any worker emits
_emit_leaks_result()
