"""The attachments panel and the PDF viewer (pytest-qt, offscreen): add, drop, scan, view, print."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from attachments.attachment_support import TEST_FEEDER_PAGES, jpeg, pdf, png
from printing.pdf_readback import page_count
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QInputDialog
from support.cups import CupsQueue, reset_cups_client

from counter_app.bootstrap import Services
from counter_app.ui.attachments.attachments_panel import AttachmentsPanel
from counter_app.ui.dossier.dossier_screen import DossierScreen
from counter_app.ui.qt.task_runner import TaskRunner

WAIT = 30_000  # a loaded two-core machine scans and combines in seconds, not milliseconds


@pytest.fixture
def panel(qtbot: Any, services: Services, runner: TaskRunner, code: str) -> AttachmentsPanel:
    panel = AttachmentsPanel(services, runner)
    qtbot.addWidget(panel)
    panel.resize(800, 400)
    panel.show()
    with qtbot.waitSignal(panel.sig_loaded, timeout=WAIT):
        panel.set_dossier(code)
    return panel


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    return [jpeg(tmp_path / "a.jpg"), png(tmp_path / "b.png"), pdf(tmp_path / "c.pdf", 2)]


def cell(panel: AttachmentsPanel, row: int, column: int) -> str:
    item = panel.table.item(row, column)
    assert item is not None
    return item.text()


def add_and_wait(qtbot: Any, panel: AttachmentsPanel, start: Any) -> None:
    with qtbot.waitSignal(panel.sig_loaded, timeout=WAIT), qtbot.waitSignal(panel.sig_changed, timeout=WAIT):
        start()


def test_the_panel_lists_the_papers_and_the_pages_after_an_add(
    qtbot: Any, panel: AttachmentsPanel, files: list[Path]
) -> None:
    assert panel.table.rowCount() == 2
    assert cell(panel, 0, 1) == "Tờ khai đăng ký kết hôn"
    assert panel.pages_shown(1) == "Chưa số hóa"
    assert panel.selected_paper() == 1  # the first paper not yet digitised
    assert not panel.view_button.isEnabled()
    progress: list[tuple[int, int]] = []
    panel.sig_progress.connect(lambda done, total, _message: progress.append((done, total)))

    add_and_wait(qtbot, panel, lambda: panel.add_files(files))

    assert panel.pages_shown(1) == "4 trang"
    assert cell(panel, 0, 4) == "Chờ gửi"
    assert panel.pages_shown(2) == "Chưa số hóa"
    assert (3, 3) in progress  # the three files combined
    assert not panel.progress.isVisible()
    assert panel.scan_button.isEnabled()


def test_dropped_files_are_added_to_the_selected_paper(qtbot: Any, panel: AttachmentsPanel, files: list[Path]) -> None:
    panel.select_paper(2)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files[:2]])
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    add_and_wait(qtbot, panel, lambda: panel.dropEvent(drop))
    assert drop.isAccepted()
    assert panel.pages_shown(2) == "2 trang"


def test_scanning_with_the_remembered_scanner_shows_each_page(
    qtbot: Any, services: Services, panel: AttachmentsPanel, sane_env: Path
) -> None:
    services.setup.set_setting("scanner_device", "test:0")
    messages: list[str] = []
    panel.sig_progress.connect(lambda _d, _t, message: messages.append(message))
    panel.select_paper(2)

    add_and_wait(qtbot, panel, lambda: qtbot.mouseClick(panel.scan_button, Qt.MouseButton.LeftButton))

    assert panel.pages_shown(2) == f"{TEST_FEEDER_PAGES} trang"
    scanned = [m for m in messages if m.startswith("Đã quét")]
    assert scanned == [f"Đã quét {n} trang" for n in range(1, TEST_FEEDER_PAGES + 1)]


def test_the_scanner_is_asked_once_then_remembered(
    qtbot: Any, services: Services, panel: AttachmentsPanel, sane_env: Path
) -> None:
    assert services.context.settings().scanner_device == ""
    panel.select_paper(1)
    panel.append_box.setChecked(False)
    panel.scan_selected()
    qtbot.waitUntil(lambda: isinstance(panel.dialog, QInputDialog), timeout=WAIT)
    dialog = panel.dialog
    assert isinstance(dialog, QInputDialog)
    choices = dialog.comboBoxItems()
    assert len(choices) == 2 and all("test:" in c for c in choices)
    dialog.setTextValue(next(c for c in choices if c.endswith("test:1")))
    add_and_wait(qtbot, panel, dialog.accept)
    assert services.context.settings().scanner_device == "test:1"
    assert panel.pages_shown(1) == f"{TEST_FEEDER_PAGES} trang"


def test_the_viewer_shows_and_prints_the_pages(
    qtbot: Any, panel: AttachmentsPanel, files: list[Path], services: Services, cups_env: CupsQueue
) -> None:
    add_and_wait(qtbot, panel, lambda: panel.add_files(files, paper=1))
    panel.select_paper(1)
    assert panel.view_button.isEnabled()
    viewer = panel.view_selected()
    assert viewer is not None
    qtbot.addWidget(viewer)
    assert viewer.page_count() == 4
    assert viewer.pages_label.text() == "4 trang"
    # the printers in the viewer's own (Vietnamese) bar, no system print dialog; the job from a child process
    assert viewer.printers.findText(cups_env.name) >= 0
    viewer.printers.setCurrentIndex(viewer.printers.findText(cups_env.name))
    before = cups_env.outputs()
    with qtbot.waitSignal(viewer.sig_printed, timeout=60_000) as printed:
        qtbot.mouseClick(viewer.print_button, Qt.MouseButton.LeftButton)
    assert printed.args == [4]
    assert f"Đã in 4 trang trên máy in “{cups_env.name}”" in viewer.state.text()
    cups_env.wait_until_idle(60)
    [output] = sorted(cups_env.outputs() - before)
    assert page_count(output) == 4
    # a paper copy of the citizen's scan is recorded as an export (who, what, how many; no personal data)
    database = services.context.database.path

    def exported() -> list[dict[str, object]]:
        with sqlite3.connect(database) as db:
            return [json.loads(p) for (p,) in db.execute("SELECT payload FROM event WHERE kind = 'data.exported'")]

    qtbot.waitUntil(lambda: exported() == [{"what": "attachment.printed", "count": 1}], timeout=10_000)


def test_the_viewer_without_a_printer_says_so_and_does_not_print(
    qtbot: Any, panel: AttachmentsPanel, files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cupsd.sock"))  # a PC without any printer
    reset_cups_client()
    try:
        add_and_wait(qtbot, panel, lambda: panel.add_files(files, paper=1))
        panel.select_paper(1)
        viewer = panel.view_selected()
        assert viewer is not None
        qtbot.addWidget(viewer)
        assert viewer.printers.count() == 0 and not viewer.print_button.isEnabled()
        assert "chưa có máy in nào" in viewer.state.text()
    finally:
        monkeypatch.delenv("CUPS_SERVER")
        reset_cups_client()


def test_exempting_a_paper_from_the_panel(qtbot: Any, panel: AttachmentsPanel) -> None:
    add_and_wait(qtbot, panel, lambda: panel.exempt(2, "online"))
    assert panel.pages_shown(2) == "Không số hóa: Hồ sơ nộp trực tuyến"


def test_the_dossier_screen_holds_the_panel_and_its_timeline_follows(
    qtbot: Any, services: Services, runner: TaskRunner, code: str, files: list[Path]
) -> None:
    screen = DossierScreen(services, runner, code)
    qtbot.addWidget(screen)
    screen.resize(1000, 800)
    screen.show()
    panel = screen.attachments_panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=WAIT)
    with qtbot.waitSignal(screen.sig_loaded, timeout=WAIT):
        add_and_wait(qtbot, panel, lambda: panel.add_files(files[2:], paper=1))
    assert panel.pages_shown(1) == "2 trang"
    assert screen.timeline_labels() == ["Tiếp nhận hồ sơ", "Số hóa giấy tờ"]
