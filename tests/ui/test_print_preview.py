"""The print preview: one dialog inside 1366×728 showing the page, the printer, copies and paper reaching the real
CUPS job, the full message of a PC without a printer, and a reprint from the preview that asks its reason."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from printing.pdf_readback import page_count, page_size_pts, pdf_text
from PySide6.QtCore import QPoint, QRect, Qt, QUrl
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from support.cups import CupsQueue, reset_cups_client
from ui.ui_support import MARRIAGE, person_form

from counter_app.bootstrap import Services
from counter_app.domain.reprint import ReprintReason
from counter_app.services.documents.printed_documents import DocumentResult
from counter_app.ui.documents.document_printing import DocumentPrinter
from counter_app.ui.documents.print_preview import PrintPreview
from counter_app.ui.documents.reprint_dialog import ReprintDialog
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner

DESK = QRect(0, 0, 1366, 728)


def receipt(services: Services) -> tuple[str, DocumentResult]:
    code = services.intake.accept(person_form(MARRIAGE)).code
    assert code is not None
    return code, services.documents.render(code, "receipt")


def open_preview(qtbot: Any, services: Services, runner: TaskRunner, document: DocumentResult) -> PrintPreview:
    printer = DocumentPrinter(services, runner)
    preview = PrintPreview(document, printer, services, runner)
    qtbot.addWidget(preview)
    preview.fit_to(DESK)
    preview.show()
    qtbot.waitExposed(preview)
    return preview


def inside(outer: QWidget, widget: QWidget) -> bool:
    return outer.rect().contains(QRect(widget.mapTo(outer, QPoint(0, 0)), widget.size()))


def sent_events(services: Services, code: str) -> list[Any]:
    return [e for e in services.dossiers.timeline(code) if e.kind == "document.sent_to_printer"]


@pytest.fixture
def no_printers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A PC without any printer: libcups pointed at a scheduler that does not exist."""
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cupsd.sock"))
    reset_cups_client()
    yield
    monkeypatch.delenv("CUPS_SERVER")
    reset_cups_client()


def test_the_preview_fits_the_desk_and_shows_the_page(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    _code, document = receipt(services)
    preview = open_preview(qtbot, services, runner, document)
    hint = preview.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 720 - 40, hint
    assert DESK.contains(preview.frameGeometry()), preview.frameGeometry()
    buttons = [b for b in preview.findChildren(QPushButton) if b.isVisible()]
    assert len(buttons) >= 6 and all(inside(preview, b) for b in buttons)
    assert preview.view.width() >= 700 and preview.view.height() >= 550  # the page gets most of the dialog
    assert preview.pdf.pageCount() == 2 and "2 trang, khổ A4" in preview.heading.text()

    def page_box() -> QRect:
        """The white page's bounding box in what the view shows (the view's background is darker)."""
        image = preview.view.viewport().grab().toImage()
        xs = [x for x in range(0, image.width(), 4) if image.pixelColor(x, image.height() // 3).lightness() > 250]
        ys = [y for y in range(0, image.height(), 4) if image.pixelColor(image.width() // 2, y).lightness() > 250]
        return QRect(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)) if xs and ys else QRect()

    def rendered_text() -> bool:
        image = preview.view.viewport().grab().toImage()
        box = page_box()
        dark = sum(
            1
            for y in range(box.top(), box.bottom(), 3)
            for x in range(box.left(), box.right(), 3)
            if image.pixelColor(x, y).lightness() < 100
        )
        return dark > 200  # the form's text, not a blank page

    qtbot.waitUntil(lambda: page_box().width() >= 600, timeout=10_000)  # an A4 page about 100 dpi wide: readable
    qtbot.waitUntil(rendered_text, timeout=10_000)


def test_copies_paper_and_printer_reach_the_cups_job(
    qtbot: Any, services: Services, runner: TaskRunner, cups_env: CupsQueue
) -> None:
    code, document = receipt(services)
    preview = open_preview(qtbot, services, runner, document)
    assert cups_env.name in [preview.printers.itemText(i) for i in range(preview.printers.count())]
    preview.printers.setCurrentIndex(preview.printers.findText(cups_env.name))
    preview.copies.setValue(2)
    preview.paper.setCurrentIndex(preview.paper.findData("A5"))
    assert "in trên khổ A5" in preview.paper_note.text()
    before = cups_env.outputs()
    with qtbot.waitSignal(preview._printer.sig_printed, timeout=60_000):
        qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    cups_env.wait_until_idle(60)
    [output] = sorted(cups_env.outputs() - before)
    assert page_count(output) == 4  # two sets of Liên 1 and Liên 2
    width, height = page_size_pts(output)
    assert abs(width - 420) < 2 and abs(height - 595) < 2, (width, height)  # A5
    done = subprocess.run(
        ["lpstat", "-W", "completed", "-o", cups_env.name], capture_output=True, text=True, check=True
    ).stdout
    assert output.name.rsplit("-job_", 1)[1].removesuffix(".pdf") in done
    assert "Đã in 2 bộ, 2 trang" in preview.state.text()
    # through the services: the printer remembered for receipts, the print in the dossier's history
    assert services.settings.printer_for("receipt") == cups_env.name
    assert len(sent_events(services, code)) == 1


def test_without_a_printer_the_message_is_whole_and_the_pdf_reachable(
    qtbot: Any, services: Services, runner: TaskRunner, no_printers: None, tmp_path: Path
) -> None:
    code, document = receipt(services)
    preview = open_preview(qtbot, services, runner, document)
    message = preview.no_printer
    assert message.isVisible() and inside(preview, message)
    assert str(document.path) in message.text() and "Tìm lại máy in" in message.text()
    assert "đã được lập và lưu" in message.text()
    assert message.height() >= message.heightForWidth(message.width()), "the message is clipped"
    assert message.sizeHint().width() <= message.width() or message.wordWrap()
    assert not preview.print_button.isEnabled() and not preview.printers.isEnabled()
    opened: list[QUrl] = []
    preview.open_url = lambda url: opened.append(url) or True
    qtbot.mouseClick(preview.open_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(document.path))]
    target = tmp_path / "usb" / "ban-sao.pdf"
    target.parent.mkdir()
    preview.ask_save_path = lambda: target
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã lưu bản sao" in preview.state.text(), timeout=10_000)
    assert target.read_bytes() == document.path.read_bytes()
    assert target.stat().st_mode & 0o777 == 0o600  # a citizen's data: readable by the user only
    assert sent_events(services, code) == []
    database = services.context.database.path
    with sqlite3.connect(database) as db:
        exported = [json.loads(p) for (p,) in db.execute("SELECT payload FROM event WHERE kind = 'data.exported'")]
    assert exported == [{"what": "document.receipt", "count": 1}]  # a copy with personal data left the archive

    # onto the application's own data (here: the database itself): refused where it was asked, nothing written
    before = database.read_bytes()
    preview.ask_save_path = lambda: database
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "tệp dữ liệu của chính ứng dụng" in preview.state.text(), timeout=10_000)
    assert database.read_bytes() == before


def test_a_reprint_from_the_preview_asks_its_reason_and_records_it(
    qtbot: Any, services: Services, runner: TaskRunner, cups_env: CupsQueue
) -> None:
    code, document = receipt(services)
    preview = open_preview(qtbot, services, runner, document)
    preview.printers.setCurrentIndex(preview.printers.findText(cups_env.name))
    with qtbot.waitSignal(preview._printer.sig_printed, timeout=60_000):
        qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert preview.print_button.text().startswith("In lại")
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    dialog = preview.reprint_dialog
    assert isinstance(dialog, ReprintDialog) and dialog.isVisible()
    assert len(sent_events(services, code)) == 1  # nothing resent before the reason
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.message("reason") == "Cần chọn lý do in lại."
    dialog.choose(ReprintReason.DAMAGED)
    changed: list[str] = []
    preview.sig_dossier_changed.connect(changed.append)  # the window tells an open tab of the dossier
    with (
        qtbot.waitSignal(preview.sig_reprinted, timeout=20_000) as reprinted,
        qtbot.waitSignal(preview._printer.sig_printed, timeout=60_000),
    ):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert changed == [document.dossier_uuid, document.dossier_uuid]  # the reprint recorded, then sent to paper
    assert document.dossier_uuid == services.dossiers.get_state(code).uuid
    again = reprinted.args[0]
    assert (again.reprint, again.reprint_number) == (True, 1)
    assert preview.document() == again and "bản in lại lần 1" in preview.heading.text()
    assert "BẢN IN LẠI lần 1" in pdf_text(again.path)  # what was sent to paper the second time is marked
    cups_env.wait_until_idle(60)
    timeline = services.dossiers.timeline(code)
    assert any("lý do: hỏng" in e.details for e in timeline if e.kind == "document.printed")
    assert len(sent_events(services, code)) == 2
    QApplication.processEvents()


def test_a_failed_print_is_retried_without_a_reprint(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    code, document = receipt(services)
    preview = open_preview(qtbot, services, runner, document)
    preview.printers.setEnabled(True)
    preview.printers.addItem("MAY-IN-DA-TAT")  # listed, then switched off before the clerk prints
    preview.printers.setCurrentIndex(preview.printers.findText("MAY-IN-DA-TAT"))
    preview.print_button.setEnabled(True)
    with qtbot.waitSignal(preview._printer.sig_failed, timeout=30_000):
        qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert preview.print_button.text() == "In lại (Ctrl+P)" and "MAY-IN-DA-TAT" in preview.state.text()
    with qtbot.waitSignal(preview._printer.sig_failed, timeout=30_000):
        qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert preview.reprint_dialog is None  # nothing went to paper: the same rendition, no reason asked
    assert sent_events(services, code) == []
    assert [e.kind for e in services.dossiers.timeline(code)].count("document.printed") == 1


def test_a_print_from_the_preview_reaches_the_open_dossier_tab(
    qtbot: Any, services: Services, runner: TaskRunner
) -> None:
    from counter_app.ui.shell.main_window import MainWindow

    window = MainWindow(runner, open_documents=True)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.sig_services_ready):
        window.set_services(services)
    code, document = receipt(services)
    with qtbot.waitSignal(window.sig_dossier_opened, timeout=10_000) as opened:
        window.open_dossier(code)
    screen = opened.args[0]
    qtbot.waitUntil(lambda: screen._bundle is not None, timeout=10_000)
    window._on_document(document)  # what the dossier tab's print button hands the window: the preview opens
    preview = next(w for w in window.findChildren(PrintPreview) if w.isVisible())
    # the dossier's history grows by a print made elsewhere in the preview's life (a reprint, a job sent)
    services.documents.record_sent_to_printer(document.document_uuid, "MAY-IN-QUAY-1", 2)
    with qtbot.waitSignal(screen.sig_loaded, timeout=10_000):
        emit(preview.sig_dossier_changed, document.dossier_uuid)
    assert screen._bundle is not None
    assert "document.sent_to_printer" in [e.kind for e in screen._bundle.timeline]
    preview.close()
