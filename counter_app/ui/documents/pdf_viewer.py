"""PdfViewer: a stored PDF's pages on screen (QtPdf) and on a printer; `print_pdf` renders page by page."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Signal
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counter_app.ui.qt.qt_compat import emit

log = logging.getLogger(__name__)

MAX_PRINT_DPI = 300  # a scan is 200-300 dpi: rendering finer only costs memory (an A4 page at 600 dpi is 130 MB)
ZOOM_STEP = 1.25


def print_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Print every page of `document`, each scaled to fit the printable area; returns the pages printed."""
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    printed = 0
    try:
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        area = printer.pageLayout().paintRectPixels(printer.resolution())
        for page in range(document.pageCount()):
            if page > 0 and not printer.newPage():
                break
            points = document.pagePointSize(page)
            image = document.render(page, QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72)))
            if image.isNull():
                log.warning("page %d of a stored PDF rendered empty", page + 1)
                continue
            scale = min(area.width() / image.width(), area.height() / image.height())
            width, height = image.width() * scale, image.height() * scale
            # the painter's origin is the printable area's corner: centre the page in it
            painter.drawImage(QRectF((area.width() - width) / 2, (area.height() - height) / 2, width, height), image)
            printed += 1
    finally:
        painter.end()
    return printed


class PdfViewer(QDialog):
    """Shows one PDF, all pages one below the other; "In…" prints it through the system's print dialog."""

    sig_printed = Signal(int)
    """The document was sent to a printer: the number of pages."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 900)
        self.document = QPdfDocument(self)
        self.document.load(str(path))
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pages_label = QLabel(self._pages_text())
        self.print_button = QPushButton("In…")
        self.print_button.setObjectName("printPdf")
        self.print_button.setEnabled(self.document.pageCount() > 0)
        self.print_button.clicked.connect(self.ask_print)
        zoom_in = QPushButton("Phóng to")
        zoom_in.clicked.connect(lambda: self._zoom(ZOOM_STEP))
        zoom_out = QPushButton("Thu nhỏ")
        zoom_out.clicked.connect(lambda: self._zoom(1 / ZOOM_STEP))
        fit = QPushButton("Vừa chiều ngang")
        fit.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        close = QPushButton("Đóng")
        close.clicked.connect(self.close)
        bar = QHBoxLayout()
        bar.addWidget(self.pages_label)
        bar.addStretch()
        for button in (zoom_out, zoom_in, fit, self.print_button, close):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

    def _pages_text(self) -> str:
        if self.document.status() != QPdfDocument.Status.Ready:
            return "Không mở được tệp PDF này."
        return f"{self.document.pageCount()} trang"

    def page_count(self) -> int:
        return self.document.pageCount()

    def _zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.1, min(8.0, self.view.zoomFactor() * factor)))

    def ask_print(self) -> None:
        """The system's print dialog, then printing (exec: Windows' native print dialog has no open())."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        pages = print_pdf(self.document, printer)
        emit(self.sig_printed, pages)
        return pages
