"""A scanner set to USB-COM: a pseudo-terminal stands in for the device; what it sends acts like a scan."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui.ui_support import ID_CARD_QR, PERSON_ID, PERSON_NAME, person_form

from counter_app.bootstrap import Services
from counter_app.services.desk.serial_code_reader import SerialCodeReader, split_codes
from counter_app.ui.code_scanners.serial import SerialScanner
from counter_app.ui.shell.main_window import MainWindow


class FakeDevice:
    """The scanner's end of a serial line: the master of a pty pair; the port is a symlink to the slave, as
    /dev/serial/by-id/… is to /dev/ttyACM0, so that unplugging and plugging back keeps the configured name."""

    def __init__(self, port: Path) -> None:
        self.port = port
        self.master: int | None = None
        self._slave: int | None = None
        self.plug()

    def plug(self) -> None:
        self.master, self._slave = os.openpty()
        self.port.unlink(missing_ok=True)
        self.port.symlink_to(os.ttyname(self._slave))

    def unplug(self) -> None:
        assert self.master is not None and self._slave is not None
        os.close(self.master)
        os.close(self._slave)
        self.master = self._slave = None
        self.port.unlink()

    def send(self, data: bytes) -> None:
        assert self.master is not None
        os.write(self.master, data)

    def close(self) -> None:
        if self.master is not None:
            self.unplug()


@pytest.fixture
def device(tmp_path: Path) -> Iterator[FakeDevice]:
    device = FakeDevice(tmp_path / "usb-Scanner-if00")
    yield device
    device.close()


@pytest.fixture
def serial_scanner(qtbot: Any, window: MainWindow, device: FakeDevice) -> Iterator[SerialScanner]:
    scanner = SerialScanner(str(device.port), 9600, window, silence=0.05, retry=(0.1, 0.2))
    window.connect_serial_scanner(scanner)
    with qtbot.waitSignal(scanner.sig_connected, timeout=5000) as connected:
        scanner.start()
    assert connected.args == [True]
    yield scanner
    scanner.stop()


def test_id_card_qr_in_utf8_fills_the_applicant_with_the_name_intact(
    qtbot: Any, window: MainWindow, device: FakeDevice, serial_scanner: SerialScanner
) -> None:
    window.intake_action.trigger()  # F2
    intake = window.intake
    assert intake is not None
    with qtbot.waitSignal(window.sig_scan_handled, timeout=5000) as handled:
        device.send(ID_CARD_QR.encode("utf-8") + b"\r\n")
    assert handled.args == ["id_card"]
    assert intake.lines["identifier"].text() == PERSON_ID
    assert intake.lines["name"].text() == PERSON_NAME == "Nguyễn Thị Ấu"
    assert intake.lines["address"].text() == "12 Đường Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"
    assert intake.sex.currentText() == "Nữ"
    assert intake.errors.message("name") == ""  # nothing to check: the bytes are the card's


def test_a_dossier_code_without_cr_lf_opens_the_dossier_after_a_silence(
    qtbot: Any, window: MainWindow, services: Services, device: FakeDevice, serial_scanner: SerialScanner
) -> None:
    code = services.intake.accept(person_form()).code
    assert code is not None
    with qtbot.waitSignal(window.sig_dossier_opened, timeout=5000) as opened:
        device.send(code.encode("ascii"))  # a scanner set to send no suffix: the silence ends the code
    screen = opened.args[0]
    qtbot.waitUntil(lambda: screen.bundle() is not None)
    assert screen.bundle().state.code == code


def test_the_port_is_reopened_after_an_unplug_with_one_warning(
    qtbot: Any,
    window: MainWindow,
    device: FakeDevice,
    serial_scanner: SerialScanner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    states: list[bool] = []
    serial_scanner.sig_connected.connect(states.append)
    caplog.set_level(logging.INFO, logger="counter_app.services.desk.serial_code_reader")
    device.unplug()
    qtbot.waitUntil(lambda: states == [False], timeout=5000)
    qtbot.wait(800)  # several failed attempts to reopen (every 0.1 then 0.2 s): none of them reported again
    assert states == [False]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    scans: list[str] = []
    serial_scanner.sig_scanned.connect(scans.append)
    device.plug()
    qtbot.waitUntil(lambda: states == [False, True], timeout=5000)
    device.send(b"000.00.99.H29-260302-1001\r")
    qtbot.waitUntil(lambda: scans != [], timeout=5000)
    assert scans == ["000.00.99.H29-260302-1001"]
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


def test_codes_end_at_cr_or_lf_and_a_split_utf8_letter_waits_for_its_end() -> None:
    data = bytearray("A1\r\nNguyễn\n".encode())
    assert split_codes(data) == ["A1", "Nguyễn"]
    half = "Ấu".encode()
    data = bytearray(half[:2])
    assert split_codes(data) == []
    data += half[2:] + b"\r"
    assert split_codes(data) == ["Ấu"]


def test_the_reader_stops_promptly_while_the_port_is_missing(tmp_path: Path) -> None:
    states: list[bool] = []
    reader = SerialCodeReader(str(tmp_path / "absent"), 9600, lambda _code: None, states.append, retry=(0.05,))
    import threading

    thread = threading.Thread(target=reader.run)
    thread.start()
    try:
        while not states:
            thread.join(0.05)
    finally:
        reader.stop()
        thread.join(2)
    assert not thread.is_alive()
    assert states == [False]
