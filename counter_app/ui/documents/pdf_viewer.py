"""PdfViewer: a stored PDF's pages on screen (QtPdf); "In" sends it to a printer chosen in the viewer itself.

The pages go to the printer from a child process (`document_printing.send_to_printer`, the printed forms' path):
QtPdf renders a page without releasing the interpreter lock, which on the window's thread froze it for the
whole job. The printers are listed by their names in a Vietnamese bar, not in Qt's (English) print dialog.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counter_app.errors import CounterError
from counter_app.ui.documents.document_printing import available_printers, send_to_printer
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner

log = logging.getLogger(__name__)

ZOOM_STEP = 1.25
NO_PRINTER = "Máy tính này chưa có máy in nào: cài máy in trong phần Cài đặt máy in của máy tính để in tệp này."


class PdfViewer(QDialog):
    """Shows one PDF, all pages one below the other; prints it on the printer chosen in its bar."""

    sig_printed = Signal(int)
    """The printer took the document: the number of pages."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 900)
        self._path = path
        self._title = title
        self._runner = runner
        self._printing = ""  # the printer of the job under way
        self.document = QPdfDocument(self)
        self.document.load(str(path))
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pages_label = QLabel(self._pages_text())
        self.printers = QComboBox()
        self.printers.setToolTip("Máy in")
        self.printers.addItems(available_printers())
        self.print_button = QPushButton("In")
        self.print_button.setObjectName("printPdf")
        self.print_button.clicked.connect(self.print_now)
        self.state = QLabel()
        self.state.setWordWrap(True)
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
        for button in (zoom_out, zoom_in, fit):
            bar.addWidget(button)
        if runner is not None:  # a viewer with nowhere to run a print job only shows
            bar.addWidget(self.printers)
            bar.addWidget(self.print_button)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.state)
        layout.addWidget(self.view, 1)
        self._ready_to_print()

    def _ready_to_print(self) -> None:
        printable = self.document.pageCount() > 0 and self._runner is not None
        self.print_button.setEnabled(printable and self.printers.count() > 0)
        self.printers.setEnabled(self.printers.count() > 0)
        if printable and self.printers.count() == 0:
            self.state.setText(NO_PRINTER)

    def _pages_text(self) -> str:
        if self.document.status() != QPdfDocument.Status.Ready:
            return "Không mở được tệp PDF này."
        return f"{self.document.pageCount()} trang"

    def page_count(self) -> int:
        return self.document.pageCount()

    def _zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.1, min(8.0, self.view.zoomFactor() * factor)))

    def print_now(self) -> None:
        """The whole file to the chosen printer, from a child process waited for off the window's thread."""
        printer = self.printers.currentText()
        if self._runner is None or not printer:
            return
        self.print_button.setEnabled(False)
        self.state.setText(f"Đang gửi tới máy in “{printer}”…")
        self._printing = printer
        # bound methods as callbacks: the runner drops them when this dialog is gone before the job ends
        self._runner.run_pooled(
            send_to_printer, self._path, printer, self._title, on_done=self._on_printed, on_error=self._on_print_failed
        )

    def _on_printed(self, pages: object) -> None:
        self.print_button.setEnabled(True)
        self.state.setText(f"Đã in {pages} trang trên máy in “{self._printing}”.")
        emit(self.sig_printed, int(str(pages)))

    def _on_print_failed(self, error: object) -> None:
        self.print_button.setEnabled(self.printers.count() > 0)
        message = error.message if isinstance(error, CounterError) else "Không in được tệp này."
        if not isinstance(error, CounterError):
            log.warning("printing a stored PDF failed: %s", type(error).__name__)
        self.state.setText(f"<span style='color:#b00020'>{message}</span>")
