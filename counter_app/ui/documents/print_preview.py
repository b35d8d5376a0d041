"""PrintPreview: a rendered document's pages beside its printer, copies and paper, in one dialog that fits the desk.

The pages are shown at a readable size (QtPdf's view, fitted to its width); the printer remembered for the kind
of document is chosen first; a PC without a printer says in full that the document is saved and where, and
offers to open it or save a copy. Sending the same rendition to paper a second time is a reprint: it asks its
reason (ReprintDialog), and the service renders the marked reprint that is then printed.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRect, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.document_kinds import HISTORY_TITLES, document_kind
from counter_app.errors import CounterError, ValidationError
from counter_app.ui.documents.document_printing import PAPER_SIZES, DocumentPrinter, PrintJob, available_printers
from counter_app.ui.documents.reprint_dialog import ReprintDialog
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner

if TYPE_CHECKING:
    from counter_app.services.documents.printed_documents import DocumentResult
    from counter_app.services.registry import Services

log = logging.getLogger(__name__)

PANEL_WIDTH = 330
MAX_SIZE = (1180, 680)  # inside 1366×728 with the title bar; the view gets what the panel leaves
MAX_COPIES = 20
A5_WIDTH_PT = 500  # an A5 page is 420 pt wide, an A4 page 595
SETUP_HINT = (
    "Để in tại quầy: cài máy in trong Windows (Cài đặt › Bluetooth và thiết bị › Máy in và máy quét), "
    "rồi bấm “Tìm lại máy in”."
    if sys.platform == "win32"
    else "Để in tại quầy: cài máy in trong phần Cài đặt máy in của máy tính, rồi bấm “Tìm lại máy in”."
)


def no_printer_message(path: Path) -> str:
    """What a PC without any printer tells the clerk: nothing is lost, where the file is, what to do."""
    return (
        f"Máy tính này chưa có máy in nào. Giấy tờ đã được lập và lưu tại: {path}. "
        f"Có thể mở tệp PDF để in ở máy khác, hoặc lưu một bản sao (ví dụ vào USB). {SETUP_HINT}"
    )


class PrintPreview(QDialog):
    """The rendered document before it goes to paper: pages on the left; printer, copies, paper and actions."""

    sig_reprinted = Signal(object)
    """A reprint was rendered from this preview (its reason recorded): the new DocumentResult."""
    sig_dossier_changed = Signal(str)
    """The dossier's history grew from this preview (a reprint, a print sent to paper): its uuid."""

    def __init__(
        self,
        document: DocumentResult,
        printer: DocumentPrinter,
        services: Services,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._document = document
        self._printer = printer
        self._services = services
        self._runner = runner
        self._printed = False  # this rendition went to paper: sending it again is a reprint
        self.reprint_dialog: ReprintDialog | None = None
        self.open_url = QDesktopServices.openUrl  # replaceable: a test clicks "Mở" without launching a viewer
        self.ask_save_path = self._ask_save_path  # replaceable: Qt's file dialog blocks a test
        self.pdf = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.pdf)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setMinimumSize(360, 300)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.printers = QComboBox()
        self.refresh_button = QPushButton("Tìm lại máy in")
        self.copies = QSpinBox()
        self.copies.setRange(1, MAX_COPIES)
        self.copies.setSuffix(" bộ")
        self.paper = QComboBox()
        for name in PAPER_SIZES:
            self.paper.addItem(name, name)
        self.paper_note = QLabel()
        self.paper_note.setWordWrap(True)
        self.no_printer = QLabel()
        self.no_printer.setObjectName("noPrinter")
        self.no_printer.setWordWrap(True)
        self.no_printer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.no_printer.setStyleSheet("background:#fff4e5; border:1px solid #e0a040; padding:6px;")
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.print_button = QPushButton("In (Ctrl+P)")
        self.print_button.setShortcut("Ctrl+P")
        self.open_button = QPushButton("Mở tệp PDF")
        self.save_button = QPushButton("Lưu bản sao…")
        close = QPushButton("Đóng")
        zoom_out, zoom_in, fit = QPushButton("Thu nhỏ"), QPushButton("Phóng to"), QPushButton("Vừa khung")
        self.print_button.clicked.connect(self.print_now)
        self.open_button.clicked.connect(self.open_pdf)
        self.save_button.clicked.connect(self.save_copy)
        self.refresh_button.clicked.connect(self.refresh_printers)
        self.paper.currentIndexChanged.connect(self._show_paper_note)
        close.clicked.connect(self.close)
        zoom_out.clicked.connect(lambda: self._zoom(0.8))
        zoom_in.clicked.connect(lambda: self._zoom(1.25))
        fit.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        for button in (self.print_button, self.open_button, self.save_button, close, zoom_out, zoom_in, fit):
            # no default button: a stray Enter must not send (or resend) the document to the printer
            button.setAutoDefault(False)
            button.setDefault(False)
        self.setLayout(self._layout(close, (zoom_out, zoom_in, fit)))
        printer.sig_printed.connect(self._on_printed)
        printer.sig_failed.connect(self._on_failed)
        self._load(document)
        self.refresh_printers()
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        self.fit_to(screen.availableGeometry())

    def _layout(self, close: QPushButton, zooms: tuple[QPushButton, ...]) -> QHBoxLayout:
        form = QFormLayout()
        chooser = QHBoxLayout()
        chooser.addWidget(self.printers, 1)
        form.addRow("Máy in", chooser)
        form.addRow("", self.refresh_button)
        form.addRow("Số bộ in", self.copies)
        form.addRow("Khổ giấy", self.paper)
        zoom_row = QHBoxLayout()
        for button in zooms:
            zoom_row.addWidget(button)
        panel = QVBoxLayout()
        panel.addWidget(self.heading)
        panel.addLayout(form)
        panel.addWidget(self.paper_note)
        panel.addWidget(self.no_printer)
        panel.addWidget(self.state)
        panel.addStretch(1)
        panel.addLayout(zoom_row)
        for button in (self.print_button, self.open_button, self.save_button, close):
            panel.addWidget(button)
        side = QWidget()
        side.setFixedWidth(PANEL_WIDTH)
        side.setLayout(panel)
        layout = QHBoxLayout()
        layout.addWidget(self.view, 1)
        layout.addWidget(side)
        return layout

    def fit_to(self, available: QRect) -> None:
        """Take most of `available` (the screen less its taskbar), never more, centred in it."""
        width = min(MAX_SIZE[0], available.width() - 16)
        height = min(MAX_SIZE[1], available.height() - 40)  # the title bar
        self.resize(max(width, self.minimumSizeHint().width()), max(height, self.minimumSizeHint().height()))
        # move() places the frame: its title bar (about 32 px) comes above the height given to resize()
        top = available.y() + max(0, (available.height() - self.height() - 32) // 2)
        self.move(available.x() + (available.width() - self.width()) // 2, top)

    # what is shown
    def document(self) -> DocumentResult:
        return self._document

    def _load(self, document: DocumentResult) -> None:
        self._document = document
        self.pdf.close()
        self.pdf.load(str(document.path))
        known = document_kind(document.kind)
        title = HISTORY_TITLES[known] if known is not None else document.kind
        mark = f" — bản in lại lần {document.reprint_number}" if document.reprint_number else ""
        self.setWindowTitle(f"Xem trước và in — số {document.number}")
        pages = self.pdf.pageCount()
        self.heading.setText(f"<b>{title}</b><br>Số {document.number}{mark} · {pages} trang, khổ {self.page_size()}")
        self.paper.setCurrentIndex(max(0, self.paper.findData(self.page_size())))
        self._show_paper_note()

    def page_size(self) -> str:
        """The paper the document was rendered for (the page-size setting when it was rendered)."""
        if self.pdf.pageCount() == 0:
            return "A4"
        return "A5" if self.pdf.pagePointSize(0).width() < A5_WIDTH_PT else "A4"

    def _show_paper_note(self) -> None:
        chosen, own = self.paper.currentData(), self.page_size()
        note = f"Giấy tờ lập khổ {own}; in trên khổ {chosen}, mỗi trang được co giãn cho vừa." if chosen != own else ""
        self.paper_note.setText(note)
        self.paper_note.setVisible(bool(note))

    def _zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.2, min(6.0, self.view.zoomFactor() * factor)))

    def refresh_printers(self) -> None:
        """The system's printers, the one remembered for this kind of document first chosen."""
        names = available_printers()
        self.printers.clear()
        self.printers.addItems(names)
        wanted = self._printer.printer_for(self._document.kind)
        if wanted in names:
            self.printers.setCurrentIndex(names.index(wanted))
        has_printer = bool(names)
        for widget in (self.printers, self.copies, self.paper, self.print_button):
            widget.setEnabled(has_printer)
        self.no_printer.setText("" if has_printer else no_printer_message(self._document.path))
        self.no_printer.setVisible(not has_printer)

    # actions
    def print_now(self) -> None:
        """Send the shown rendition to the chosen printer; once it went to paper, a reprint with its reason."""
        if self._printed:
            self.ask_reprint()
            return
        name = self.printers.currentText()
        if not name:
            self.refresh_printers()
            return
        self.state.setText("Đang gửi tới máy in…")
        self.print_button.setEnabled(False)
        self._printer.print_document(self._document, name, self.copies.value(), str(self.paper.currentData()))

    def ask_reprint(self) -> None:
        known = document_kind(self._document.kind)
        title = HISTORY_TITLES[known].lower() if known is not None else self._document.kind
        dialog = ReprintDialog(title, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_submitted.connect(self._on_reason)
        dialog.finished.connect(self._forget_reprint_dialog)
        self.reprint_dialog = dialog
        dialog.open()

    def _forget_reprint_dialog(self, _result: int) -> None:
        self.reprint_dialog = None

    def _on_reason(self, values: dict[str, Any]) -> None:
        self._runner.run_serial(
            self._services.documents.reprint,
            self._document.document_uuid,
            reason=values["reason"],
            reason_note=values["reason_note"],
            on_done=self._on_reprint_rendered,
            on_error=self._on_reprint_refused,
        )

    def _on_reprint_rendered(self, document: DocumentResult) -> None:
        if self.reprint_dialog is not None:
            self.reprint_dialog.accept()
        self._printed = False
        self._load(document)
        self.print_button.setText("In (Ctrl+P)")
        emit(self.sig_reprinted, document)
        emit(self.sig_dossier_changed, document.dossier_uuid)
        self.print_now()

    def _on_reprint_refused(self, error: object) -> None:
        dialog = self.reprint_dialog
        message = error.message if isinstance(error, CounterError) else str(error)
        if dialog is None:
            self.state.setText(message)
            return
        dialog.set_busy(False)
        field = error.field if isinstance(error, ValidationError) else "_general"
        dialog.show_errors({field: message})

    def open_pdf(self) -> None:
        if not self.open_url(QUrl.fromLocalFile(str(self._document.path))):
            self.state.setText(f"Không mở được tệp PDF; tệp ở {self._document.path}.")

    def save_copy(self) -> None:
        target = self.ask_save_path()
        if target is None:
            return
        self._runner.run_pooled(
            self._services.documents.save_copy,
            self._document.document_uuid,
            target,
            on_done=self._on_saved,
            on_error=self._on_save_failed,
        )

    def _ask_save_path(self) -> Path | None:
        suggested = str(Path.home() / self._document.path.name)
        chosen, _filter = QFileDialog.getSaveFileName(self, "Lưu bản sao giấy tờ", suggested, "Tệp PDF (*.pdf)")
        return Path(chosen) if chosen else None

    def _on_saved(self, target: object) -> None:
        self.state.setText(f"Đã lưu bản sao tại {target}.")

    def _on_save_failed(self, error: object) -> None:
        log.warning("saving a copy of a document failed: %s", type(error).__name__)
        if isinstance(error, CounterError):  # refused where it was asked (onto the application's own data, ...)
            self.state.setText(f"<span style='color:#b00020'>{error.message}</span>")
            return
        self.state.setText("Không lưu được bản sao vào chỗ đã chọn (ổ đầy, không có quyền ghi hoặc USB đã rút).")

    def _on_printed(self, job: PrintJob) -> None:
        if job.document_uuid != self._document.document_uuid:
            return
        self._printed = True
        emit(self.sig_dossier_changed, self._document.dossier_uuid)
        self.print_button.setEnabled(True)
        self.print_button.setText("In lại (cần lý do)…")
        sets = f"{job.copies} bộ, " if job.copies > 1 else ""
        self.state.setText(f"Đã in {sets}{job.pages} trang trên máy in “{job.printer}”.")

    def _on_failed(self, error: object) -> None:
        self.print_button.setEnabled(bool(self.printers.count()))
        self.print_button.setText("In lại (Ctrl+P)")  # nothing went to paper: the same rendition again
        self.print_button.setShortcut("Ctrl+P")
        message = error.message if isinstance(error, CounterError) else str(error)
        self.state.setText(f"<span style='color:#b00020'>{message}</span>")


class DocumentPreviews:
    """Each rendered document in a preview, then printed on the printer remembered for its kind."""

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget, on_dossier_changed: Callable[[str], None]
    ) -> None:
        self._on_dossier_changed = on_dossier_changed  # the window tells its pages (an open dossier reads again)
        self._parent = parent
        self._services = services
        self._runner = runner
        self._printer = DocumentPrinter(services, runner, parent)

    def open(self, document: DocumentResult) -> PrintPreview:
        preview = PrintPreview(document, self._printer, self._services, self._runner, self._parent)
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.sig_dossier_changed.connect(self._on_dossier_changed)
        preview.open()
        return preview
