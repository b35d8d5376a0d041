"""Printing a rendered document through the system: preview, the printer remembered per kind, failures retried.

The PDF is already numbered and archived when it reaches here; a printer that is missing, off or failing costs
nothing but a message and a retry, and only a job the printer accepted is recorded as printed.

The pages are rendered for the printer in a child process (`counter-app --print-job`): QtPdf renders a page
without releasing the interpreter lock (about half a second a page at 300 dpi), which in a worker thread of the
window would freeze the window for the whole job.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF, QSize, Signal
from PySide6.QtGui import QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from counter_app.errors import CounterError
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner

if TYPE_CHECKING:
    from counter_app.services.documents.printed_documents import DocumentResult
    from counter_app.services.registry import Services

log = logging.getLogger(__name__)


class PrintFailed(CounterError):
    """The printer did not take the job; the PDF stays archived and the clerk can retry."""


@dataclass(frozen=True)
class PrintJob:
    document_uuid: str
    kind: str
    path: Path
    printer: str
    pages: int
    copies: int = 1


def available_printers() -> list[str]:
    return list(QPrinterInfo.availablePrinterNames())


PRINT_JOB_FLAG = "--print-job"  # counter_app.__main__ hands this command line to print_job_main
PRINT_JOB_TIMEOUT_S = 600


PAPER_SIZES = {"A4": QPageSize.PageSizeId.A4, "A5": QPageSize.PageSizeId.A5}  # what printing.data.PageSize knows


def print_job_command(path: Path, printer_name: str, title: str, copies: int = 1, paper: str = "") -> list[str]:
    """The child process that prints: this interpreter with `-m counter_app`, or the frozen program itself."""
    program = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "counter_app"]
    return [*program, PRINT_JOB_FLAG, str(path), printer_name, title, str(copies), paper]


def send_to_printer(path: Path, printer_name: str, title: str, copies: int = 1, paper: str = "") -> int:
    """Print every page of the PDF at `path` on `printer_name` from a child process; raises PrintFailed.

    `copies` sets of the document; `paper` "A4"/"A5" (each page scaled to fit it), or "" for the printer's.

    Safe in a worker thread: it waits for the child, which holds no lock of this process.
    """
    if printer_name not in available_printers():
        raise PrintFailed(
            f"Không tìm thấy máy in “{printer_name}”. Kiểm tra máy in đã bật và kết nối, rồi bấm In lại; "
            f"giấy tờ đã được lưu tại {path}."
        )
    try:
        child = subprocess.run(
            print_job_command(path, printer_name, title, copies, paper),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=PRINT_JOB_TIMEOUT_S,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrintFailed(
            f"Không gửi được lệnh in tới máy in “{printer_name}”. Bấm In lại; giấy tờ đã được lưu tại {path}.",
            detail=type(exc).__name__,
        ) from exc
    answers = [line for line in child.stdout.splitlines() if line.startswith("{")]
    answer = json.loads(answers[-1]) if answers else {}
    if "pages" in answer:
        return int(answer["pages"])
    log.warning("print job process ended with %s", child.returncode)
    raise PrintFailed(
        str(
            answer.get("error")
            or f"Máy in “{printer_name}” không nhận lệnh in. Bấm In lại; giấy tờ đã được lưu tại {path}."
        ),
        detail=child.stderr[-2000:],
    )


def print_job_main(arguments: list[str]) -> int:
    """`counter-app --print-job PDF PRINTER TITLE [COPIES PAPER]`, run by send_to_printer: prints, then writes
    one JSON line, {"pages": n} or {"error": message}."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QPainter and QPrinter need one
    try:
        path, printer_name, title, *options = arguments
        copies = int(options[0]) if options and options[0].isdigit() else 1
        paper = options[1] if len(options) > 1 else ""
        pages = _print_here(Path(path), printer_name, title, copies, paper)
    except PrintFailed as exc:
        _answer({"error": exc.message})
        return 1
    _answer({"pages": pages})
    app.quit()
    return 0


def _answer(data: dict[str, object]) -> None:
    """The print job's one line to send_to_printer, on stdout."""
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def _print_here(path: Path, printer_name: str, title: str, copies: int = 1, paper: str = "") -> int:
    """In the print job's process: QtPdf renders each page for QPrinter on `printer_name`."""
    document = QPdfDocument()
    if document.load(str(path)) != QPdfDocument.Error.None_:
        raise PrintFailed(f"Không đọc được tệp PDF {path} để in.")
    printer = QPrinter(QPrinterInfo.printerInfo(printer_name), QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setCopyCount(max(1, copies))
    if paper in PAPER_SIZES:
        printer.setPageSize(QPageSize(PAPER_SIZES[paper]))
    pages = print_pdf(document, printer)
    document.close()
    if pages == 0:
        raise PrintFailed(
            f"Máy in “{printer_name}” không nhận lệnh in. Kiểm tra máy in rồi bấm In lại; "
            f"giấy tờ đã được lưu tại {path}."
        )
    return pages


MAX_PRINT_DPI = 300  # a scan is 200-300 dpi: rendering finer only costs memory (an A4 page at 600 dpi is 130 MB)


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


def _record_job(services: Services, job: PrintJob) -> PrintJob:
    """In the write worker: the print recorded in the dossier's history, the printer remembered for its kind."""
    services.print_records.record_printed(job.document_uuid, job.kind, job.printer, job.pages)
    return job


class DocumentPrinter(QObject):
    """Sends documents to the printer remembered for their kind, off the UI thread, and records what printed."""

    sig_printed = Signal(object)
    """A job was accepted by the printer: the PrintJob."""
    sig_failed = Signal(object)
    """A job failed: the exception (the PDF is still archived)."""

    def __init__(self, services: Services, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner

    def printer_for(self, kind: str) -> str:
        return self._services.settings.printer_for(kind) or QPrinterInfo.defaultPrinterName()

    def print_document(self, document: DocumentResult, printer_name: str = "", copies: int = 1, paper: str = "") -> int:
        """Queue the print of a rendered document (`copies` sets, on `paper` A4/A5 or the printer's own); returns
        the task id (of the print; recording it follows)."""
        name = printer_name or self.printer_for(document.kind)
        if not name:
            error = PrintFailed("Chưa chọn máy in. Bấm “Chọn máy in…” để chọn; giấy tờ đã được lưu.")
            emit(self.sig_failed, error)
            return -1
        return self._runner.run_pooled(
            self._send, document, name, copies, paper, on_done=self._record, on_error=self._on_failed
        )

    @staticmethod
    def _send(document: DocumentResult, printer_name: str, copies: int, paper: str) -> PrintJob:
        """In the pool: only the printer's child process; what printed is recorded by the write worker."""
        title = f"{document.kind} {document.number}"
        pages = send_to_printer(Path(document.path), printer_name, title, copies, paper)
        return PrintJob(document.document_uuid, document.kind, Path(document.path), printer_name, pages, copies)

    def _record(self, job: PrintJob) -> None:
        self._runner.run_serial(_record_job, self._services, job, on_done=self._on_printed, on_error=self._on_failed)

    def _on_printed(self, job: PrintJob) -> None:
        emit(self.sig_printed, job)

    def _on_failed(self, error: object) -> None:
        log.warning("print job failed: %s", type(error).__name__)
        emit(self.sig_failed, error)
