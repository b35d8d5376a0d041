"""SerialCodeReader: a barcode/QR scanner set to USB-COM (a virtual serial port), read as one code per burst."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

SILENCE_S = 0.1  # a scanner sends a whole code in one go; a pause this long ends a code sent without CR/LF
RETRY_S = (0.5, 1.0, 2.0, 5.0)  # waits between attempts to reopen a port that vanished (unplugged), then 5 s
_TERMINATORS = b"\r\n"


def split_codes(buffer: bytearray) -> list[str]:
    """Takes every complete (CR- or LF-ended) code out of `buffer`; what follows the last end stays there."""
    codes: list[str] = []
    while True:
        ends = [i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0]
        if not ends:
            return codes
        end = min(ends)
        raw = bytes(buffer[:end])
        del buffer[: end + 1]
        code = decode_code(raw)
        if code:
            codes.append(code)


def decode_code(raw: bytes) -> str:
    """A code as text: the CCCD QR is UTF-8 (with or without a BOM); a stray byte is replaced, not fatal."""
    return raw.decode("utf-8", errors="replace").lstrip("\ufeff").strip()


class SerialCodeReader:
    """Reads codes from a serial port until `stop()`; meant to run in a thread of its own (`run` blocks).

    A code ends at CR or LF, or at `silence` seconds without a byte. When the port vanishes (the scanner
    unplugged) or cannot be opened, the reader tells `on_state(False)` once, retries quietly with growing waits,
    and tells `on_state(True)` once it is open again; it never reports the same failure twice in a row.
    """

    def __init__(
        self,
        port: str,
        baud: int,
        on_code: Callable[[str], None],
        on_state: Callable[[bool], None] | None = None,
        *,
        silence: float = SILENCE_S,
        retry: tuple[float, ...] = RETRY_S,
        open_port: Callable[..., Any] | None = None,
    ) -> None:
        self.port = port
        self.baud = baud
        self._on_code = on_code
        self._on_state = on_state
        self._silence = silence
        self._retry = retry
        self._open_port = open_port
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Ends `run` within one silence period."""
        self._stopping.set()

    def run(self) -> None:
        connected: bool | None = None  # unknown until the first attempt
        failures = 0
        while not self._stopping.is_set():
            try:
                handle = self._open()
            except Exception as exc:  # pyserial raises SerialException or OSError depending on the platform
                if connected is not False:
                    log.warning("code scanner port %s cannot be opened: %s", self.port, type(exc).__name__)
                    self._tell(False)
                connected = False
                self._stopping.wait(self._retry[min(failures, len(self._retry) - 1)])
                failures += 1
                continue
            failures = 0
            if connected is not True:
                log.info("code scanner port %s open", self.port)
                self._tell(True)
            connected = True
            try:
                self._read_until_gone(handle)
            except Exception as exc:
                log.warning("code scanner port %s lost: %s", self.port, type(exc).__name__)
                connected = False
                self._tell(False)
                self._stopping.wait(self._retry[0])
            finally:
                try:
                    handle.close()
                except Exception:  # a vanished device may refuse even its close
                    log.debug("closing the code scanner port failed", exc_info=True)

    def _open(self) -> Any:
        if self._open_port is not None:
            return self._open_port(self.port, self.baud, self._silence)
        import serial  # pyserial: only where a port is configured

        return serial.Serial(self.port, self.baud, timeout=self._silence, exclusive=True)

    def _read_until_gone(self, handle: Any) -> None:
        buffer = bytearray()
        while not self._stopping.is_set():
            waiting = handle.in_waiting
            chunk: bytes = handle.read(waiting or 1)  # waits at most `silence` for the first byte
            if chunk:
                buffer += chunk
                for code in split_codes(buffer):
                    self._on_code(code)
            elif buffer:  # silence after a code sent without CR/LF
                code = decode_code(bytes(buffer))
                buffer.clear()
                if code:
                    self._on_code(code)

    def _tell(self, connected: bool) -> None:
        if self._on_state is not None:
            self._on_state(connected)
