"""What the attachments panel's off-thread work uses: the progress relay and the scanner lookup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from counter_app.ui.qt.qt_compat import emit

if TYPE_CHECKING:
    from counter_app.services.attachments.document_scanners import ScannerDevice
    from counter_app.services.registry import Services


class ProgressRelay(QObject):
    """Carries progress from a worker thread to the UI thread (the connection is queued across threads)."""

    sig_progress = Signal(int, int, str)
    """Done, total (0: not known yet) and what is happening."""

    def report(self, done: int, total: int, message: str) -> None:
        emit(self.sig_progress, done, total, message)


def scanner_choice(services: Services) -> tuple[str, list[ScannerDevice]]:
    """Runs in a worker: the remembered scanner, or (when none) the scanners this computer sees."""
    chosen = services.settings.current().scanner_device
    return (chosen, []) if chosen else ("", services.attachments.list_scanners())
