"""SerialScanner: a scanner set to USB-COM, read in a thread of its own; its codes delivered on the UI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal

from counter_app.services.desk.serial_code_reader import RETRY_S, SILENCE_S, SerialCodeReader
from counter_app.ui.qt.qt_compat import emit


class _ReaderThread(QThread):
    def __init__(self, reader: SerialCodeReader, parent: QObject) -> None:
        super().__init__(parent)
        self.reader = reader

    def run(self) -> None:
        self.reader.run()


class SerialScanner(QObject):
    """Reads the configured port off the UI thread (it blocks on the device), reopening it after an unplug.

    Unlike the keyboard wedge it receives the code's bytes as sent, so a CCCD QR keeps its Vietnamese letters.
    """

    sig_scanned = Signal(str)
    """A code read from the port, without its CR/LF; on the UI thread."""
    sig_connected = Signal(bool)
    """The port opened (True) or vanished or cannot be opened (False); once per change, on the UI thread."""

    def __init__(
        self,
        port: str,
        baud: int,
        parent: QObject | None = None,
        *,
        silence: float = SILENCE_S,
        retry: tuple[float, ...] = RETRY_S,
    ) -> None:
        super().__init__(parent)
        # the reader's callbacks run in the thread: a signal of an object of the UI thread is queued to it
        reader = SerialCodeReader(
            port,
            baud,
            lambda code: emit(self.sig_scanned, code),
            lambda connected: emit(self.sig_connected, connected),
            silence=silence,
            retry=retry,
        )
        self._thread = _ReaderThread(reader, self)

    @property
    def port(self) -> str:
        return self._thread.reader.port

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stops reading and waits for the thread (at most one silence period and a retry wait)."""
        self._thread.reader.stop()
        self._thread.wait()
