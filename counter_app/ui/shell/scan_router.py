"""ScanRouter: what a scan does in the window: a dossier code (or slip number) opens the dossier, a Mẫu 02 slip still
waiting for the applicant opens the intake completing it, an ID card's QR fills the intake form; from the keyboard
wedge or from a scanner on a serial port."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from counter_app.ui.code_scanners.scan_kinds import is_supplement_slip, scan_kind
from counter_app.ui.qt.qt_compat import emit

if TYPE_CHECKING:
    from counter_app.ui.code_scanners.serial import SerialScanner
    from counter_app.ui.intake.intake_screen import IntakeScreen


class ScanRouter(QObject):
    sig_handled = Signal(str)
    """A scan was acted on: "dossier", "id_card" or "unknown"."""

    def __init__(
        self,
        open_intake: Callable[[], IntakeScreen | None],
        open_dossier: Callable[[str], None],
        show_message: Callable[[str, int], None],
        parent: QObject,
        open_slip: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._open_intake = open_intake
        self._open_dossier = open_dossier
        self._show_message = show_message
        # a Mẫu 02 slip's number: the intake completing it while it is open, its screen otherwise
        self._open_slip = open_slip or open_dossier

    def connect_serial(self, scanner: SerialScanner) -> None:
        """Codes read from a scanner set to USB-COM act like keyboard scans, their Vietnamese letters intact."""
        scanner.sig_scanned.connect(self._on_serial_scan)
        scanner.sig_connected.connect(self._show_serial_state)

    def _on_serial_scan(self, text: str) -> None:
        self.handle(text, keyboard=False)

    def _show_serial_state(self, connected: bool) -> None:
        if connected:
            self._show_message("Máy quét mã (cổng COM) đã sẵn sàng.", 5000)
        else:
            self._show_message("Không đọc được máy quét mã qua cổng COM: kiểm tra dây cắm; sẽ tự kết nối lại.", 10_000)

    def handle(self, text: str, *, keyboard: bool = True) -> None:
        """`keyboard`: read by the keyboard wedge, whose letters may have lost their marks."""
        scanned = text.strip()
        kind = scan_kind(scanned)
        if kind == "id_card":
            intake = self._open_intake()
            if intake is not None and intake.apply_scan(scanned, keyboard=keyboard):
                self._show_message("Đã điền thông tin từ thẻ căn cước.", 5000)
        elif kind == "dossier":
            (self._open_slip if is_supplement_slip(scanned) else self._open_dossier)(scanned.upper())
        else:
            self._show_message("Mã vừa quét không phải mã hồ sơ hay mã QR thẻ căn cước.", 8000)
        emit(self.sig_handled, kind)
