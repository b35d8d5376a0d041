"""The error presenter: a short Vietnamese message with expandable technical detail, and the global hook."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from counter_app.errors import CounterError, FormInvalid

log = logging.getLogger(__name__)

# Boxes without a parent window are owned by Python: kept here until closed, or they would vanish at once.
_ORPHAN_BOXES: set[QMessageBox] = set()

UNEXPECTED = (
    "Đã xảy ra lỗi không mong đợi. Thao tác chưa hoàn tất; chi tiết kỹ thuật đã được ghi vào nhật ký. "
    "Hãy thử lại, nếu lỗi lặp lại hãy báo quản trị viên."
)


def user_message(exc: BaseException) -> str:
    """What the clerk reads: the error's own Vietnamese message, or a generic one for a programming error."""
    if isinstance(exc, FormInvalid):
        return "Thông tin chưa hợp lệ:\n" + "\n".join(f"• {m}" for m in exc.errors.values())
    if isinstance(exc, CounterError) and exc.message.strip():
        return exc.message
    return UNEXPECTED


def technical_detail(exc: BaseException) -> str:
    """For the expandable part: kind, technical detail (never personal data) and, if unexpected, the trace."""
    lines = [f"{type(exc).__module__}.{type(exc).__qualname__}"]
    if isinstance(exc, CounterError):
        if exc.detail:
            lines.append(exc.detail)
        if isinstance(exc, FormInvalid):
            lines.append("Trường: " + ", ".join(exc.errors))
        return "\n".join(lines)
    lines.append("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return "\n".join(lines)


def show_error(parent: QWidget | None, exc: BaseException, *, message: str | None = None) -> QMessageBox:
    """Show `exc` without blocking (window-modal when there is a parent); returns the box.

    The clerk reads `message` (by default `user_message(exc)`), never the error's class: that is only in the
    expandable technical detail. The buttons' labels are Vietnamese through ui.vietnamese's translator.
    """
    expected = isinstance(exc, CounterError)
    box = QMessageBox(parent)
    box.setObjectName("errorBox")
    box.setIcon(QMessageBox.Icon.Warning if expected else QMessageBox.Icon.Critical)
    box.setWindowTitle("Không thực hiện được" if expected else "Lỗi")
    box.setText(message or user_message(exc))
    box.setDetailedText(technical_detail(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is None:
        _ORPHAN_BOXES.add(box)
        box.finished.connect(lambda _result: _ORPHAN_BOXES.discard(box))
    box.open()
    return box


def _hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.critical("unhandled exception: %s", exc_type.__name__, exc_info=(exc_type, exc, tb))
    app = QApplication.instance()
    if app is not None and threading.current_thread() is threading.main_thread():
        try:
            show_error(QApplication.activeWindow(), exc)
        except Exception:  # the presenter itself failed: the log has the original error
            log.exception("the error presenter failed")


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    log.critical(
        "unhandled exception in thread %s: %s",
        args.thread.name if args.thread else "?",
        args.exc_type.__name__,
        exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
    )


def install_exception_hook() -> None:
    """Every uncaught exception is logged and shown; the window never dies silently."""
    sys.excepthook = _hook
    threading.excepthook = _thread_hook
