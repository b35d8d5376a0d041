"""AttachmentsPanel: a dossier's papers with the pages digitised; scan, add files (dialog or drop), view, exempt.

Scanning and combining run on the TaskRunner's pool (they take seconds and write no database); only the short
recording of the result goes through the serial database worker. Progress comes back page by page through a
signal of a relay object that the worker call holds (so a closed screen never breaks a running scan).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.attachments.pdf_assembly import SUPPORTED_SUFFIXES
from counter_app.services.attachments.views import EXEMPTIONS, AttachmentView, PaperDigitisation
from counter_app.ui.attachments.attachment_checklist import AttachmentChecklist
from counter_app.ui.attachments.attachment_workers import ProgressRelay, scanner_choice
from counter_app.ui.documents.pdf_viewer import PdfViewer
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import show_error

if TYPE_CHECKING:
    from counter_app.services.attachments.document_scanners import ScannerDevice
    from counter_app.services.attachments.views import PreparedAttachment
    from counter_app.services.registry import Services
    from counter_app.services.syncing.sync_runs import FetchedFiles

log = logging.getLogger(__name__)


class AttachmentsPanel(QGroupBox):
    sig_loaded = Signal(object)
    """The checklist was (re)loaded: the list of PaperDigitisation."""
    sig_changed = Signal(object)
    """A paper was digitised or exempted: its AttachmentView."""
    sig_failed = Signal(object)
    """Scanning, adding or recording failed: the exception (also shown to the clerk)."""
    sig_progress = Signal(int, int, str)
    """Progress of the running scan or combination: done, total (0: not known) and what is happening."""
    sig_fetched = Signal(object)
    """Files digitised at another counter were fetched from the central (FetchedFiles), or could not be (the
    exception): the panel then says why in its status line and the clerk works on."""

    def __init__(self, services: Services, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__("Số hóa giấy tờ", parent)
        self._services = services
        self._runner = runner
        self._key = ""
        self._editable = False
        self._busy = False
        self._papers: list[PaperDigitisation] = []
        self._relay: ProgressRelay | None = None
        self.dialog: QWidget | None = None
        self.viewer: PdfViewer | None = None
        self._scan_paper = 0
        self._scan_device = ""
        self._scanner_labels: dict[str, str] = {}
        self._exempt_paper = 0
        self._fetched_for = ""  # the dossier whose missing files were already asked for (once per opening)
        self.setAcceptDrops(True)

        self.table = AttachmentChecklist()
        self.table.itemSelectionChanged.connect(self._sync_buttons)
        self.table.doubleClicked.connect(lambda _index: self.view_selected())

        self.scan_button = QPushButton("Quét")
        self.scan_button.setObjectName("scanPaper")
        self.scan_button.clicked.connect(self.scan_selected)
        self.add_button = QPushButton("Thêm tệp")
        self.add_button.setObjectName("addFiles")
        self.add_button.clicked.connect(self.choose_files)
        self.view_button = QPushButton("Xem")
        self.view_button.setObjectName("viewPaper")
        self.view_button.clicked.connect(self.view_selected)
        self.exempt_button = QPushButton("Không số hóa…")
        self.exempt_button.setObjectName("exemptPaper")
        self.exempt_button.clicked.connect(self.choose_exemption)
        self.append_box = QCheckBox("Thêm trang vào bản đã có")
        self.append_box.setToolTip("Quét mặt kính từng trang: các trang mới được nối sau các trang đã quét")
        buttons = QHBoxLayout()
        for button in (self.scan_button, self.add_button, self.view_button, self.exempt_button):
            buttons.addWidget(button)
        buttons.addWidget(self.append_box)
        buttons.addStretch()

        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel("Kéo thả tệp PDF, JPEG, PNG vào đây để đính kèm vào giấy tờ đang chọn.")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self._sync_buttons()

    # loading
    def set_dossier(self, key: str, *, editable: bool = True) -> None:
        """Show the papers of the dossier `key` (code or UUID); `editable` False for slips."""
        self._key = key
        self._editable = editable
        self._fetched_for = ""
        self.reload()

    def reload(self) -> None:
        if self._key:
            self._runner.run_pooled(
                self._services.attachments.checklist, self._key, on_done=self._fill, on_error=self._on_failed
            )

    def papers(self) -> list[PaperDigitisation]:
        return list(self._papers)

    def _fill(self, papers: list[PaperDigitisation]) -> None:
        selected = self.selected_paper()
        self._papers = papers
        self.table.fill(papers)
        if selected is not None and 1 <= selected <= len(papers):
            self.table.selectRow(selected - 1)
        elif papers:
            # the first paper not yet digitised: the usual next one to scan
            todo = next((p.paper for p in papers if p.attachment is None and not p.missing), 1)
            self.table.selectRow(todo - 1)
        self._sync_buttons()
        emit(self.sig_loaded, papers)
        self._fetch_missing(papers)

    # files digitised at another counter (the deciding agency's counter opening a dossier received elsewhere)
    def _fetch_missing(self, papers: list[PaperDigitisation]) -> None:
        absent = [
            p for p in papers if p.attachment is not None and not p.attachment.exempt and not p.attachment.file_here
        ]
        if not absent or self._fetched_for == self._key:
            return
        self._fetched_for = self._key
        self.status.setText(f"Đang tải {len(absent)} tệp số hóa từ máy chủ trung tâm…")
        self._runner.run_pooled(
            self._services.sync.fetch_attachments, self._key, on_done=self._on_fetched, on_error=self._on_fetch_failed
        )

    def _on_fetched(self, result: FetchedFiles) -> None:
        self.status.setText(f"Đã tải {len(result.fetched)} tệp số hóa từ máy chủ trung tâm.")
        emit(self.sig_fetched, result)
        self.reload()

    def _on_fetch_failed(self, exc: object) -> None:
        message = getattr(exc, "message", "") or "lỗi không xác định"
        self.status.setText(f"Chưa tải được tệp số hóa từ máy chủ trung tâm ({message}); thử lại khi mở lại hồ sơ.")
        emit(self.sig_fetched, exc)

    def pages_shown(self, paper: int) -> str:
        return self.table.pages_shown(paper)

    def selected_paper(self) -> int | None:
        return self.table.selected_paper()

    def select_paper(self, paper: int) -> None:
        self.table.selectRow(paper - 1)

    def _selected(self) -> PaperDigitisation | None:
        paper = self.selected_paper()
        return self._papers[paper - 1] if paper is not None and paper <= len(self._papers) else None

    def _sync_buttons(self) -> None:
        paper = self._selected()
        usable = self._editable and not self._busy and paper is not None and not paper.missing
        for button in (self.scan_button, self.add_button, self.exempt_button):
            button.setEnabled(usable)
        attachment = paper.attachment if paper is not None else None
        self.view_button.setEnabled(attachment is not None and not attachment.exempt and attachment.file_here)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
        if message:
            self.status.setText(message)
        self._sync_buttons()

    def _new_relay(self) -> Callable[[int, int, str], None]:
        relay = ProgressRelay()  # no parent: the worker's call keeps it alive, whatever happens to the panel
        relay.sig_progress.connect(self._on_progress)
        self._relay = relay
        return relay.report

    def _on_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        else:
            self.progress.setRange(0, 0)
        self.status.setText(message)
        emit(self.sig_progress, done, total, message)

    # adding files
    def choose_files(self) -> None:
        dialog = QFileDialog(self, "Chọn tệp của giấy tờ (theo thứ tự trang)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter("PDF và ảnh (" + " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES) + ")")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(self._on_files_selected)
        self.dialog = dialog
        dialog.open()

    def _on_files_selected(self, files: list[str]) -> None:
        self.add_files([Path(f) for f in files])

    def add_files(self, files: Sequence[Path], paper: int | None = None) -> bool:
        """Combine `files` into the paper's PDF (the selected paper unless given); False when nothing started."""
        paper = paper or self.selected_paper()
        if paper is None or self._busy or not self._editable or not files:
            if paper is None:
                self.status.setText("Chọn giấy tờ trong danh sách trước khi thêm tệp.")
            return False
        self._set_busy(True, f"Đang ghép {len(files)} tệp…")
        self._runner.run_pooled(
            self._services.attachments.prepare_files,
            self._key,
            paper,
            list(files),
            append=self.append_box.isChecked(),
            progress=self._new_relay(),
            on_done=self._record,
            on_error=self._on_failed,
        )
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if self._editable and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        files = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if files and self.add_files(files):
            event.acceptProposedAction()
        else:
            event.ignore()

    # scanning
    def scan_selected(self) -> None:
        paper = self.selected_paper()
        if paper is None or self._busy or not self._editable:
            return
        self._scan_paper = paper
        self._set_busy(True, "Đang tìm máy quét…")
        # callbacks are bound methods: the runner drops them if the panel was closed meanwhile
        self._runner.run_pooled(scanner_choice, self._services, on_done=self._on_scanner, on_error=self._on_failed)

    def _on_scanner(self, choice: tuple[str, list[ScannerDevice]]) -> None:
        chosen, devices = choice
        if chosen:
            self.start_scan(self._scan_paper, chosen)
        elif not devices:
            self._set_busy(False, "Không tìm thấy máy quét nào. Kiểm tra máy quét đã bật và đã nối với máy tính.")
        elif len(devices) == 1:
            self._remember_and_scan(devices[0].name)
        else:
            self._ask_scanner(devices)

    def _ask_scanner(self, devices: list[ScannerDevice]) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Chọn máy quét")
        dialog.setLabelText(
            "Máy quét của quầy (chỉ hỏi một lần; đổi lại trong Thiết lập, mục “Máy quét giấy tờ của quầy”):"
        )
        self._scanner_labels = {f"{d.label} — {d.name}": d.name for d in devices}
        dialog.setComboBoxItems(list(self._scanner_labels))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self._on_scanner_picked)
        dialog.rejected.connect(self._on_scanner_refused)
        self.dialog = dialog
        dialog.open()

    def _on_scanner_picked(self, label: str) -> None:
        self._remember_and_scan(self._scanner_labels[label])

    def _on_scanner_refused(self) -> None:
        self._set_busy(False, "Chưa chọn máy quét.")

    def _remember_and_scan(self, device: str) -> None:
        self._scan_device = device
        self._runner.run_serial(
            self._services.attachments.choose_scanner, device, on_done=self._on_scanner_saved, on_error=self._on_failed
        )

    def _on_scanner_saved(self, _result: object) -> None:
        self.start_scan(self._scan_paper, self._scan_device)

    def start_scan(self, paper: int, device: str) -> None:
        self._set_busy(True, "Đang quét…")
        self._runner.run_pooled(
            self._services.attachments.prepare_scan,
            self._key,
            paper,
            device=device,
            append=self.append_box.isChecked(),
            progress=self._new_relay(),
            on_done=self._record,
            on_error=self._on_failed,
        )

    # recording, viewing, exempting
    def _record(self, prepared: PreparedAttachment) -> None:
        self.status.setText(f"Đang lưu {prepared.pages} trang…")
        self._runner.run_serial(
            self._services.attachments.record, prepared, on_done=self._on_added, on_error=self._on_failed
        )

    def _on_added(self, view: AttachmentView) -> None:
        if view.exempt:
            message = f"Giấy tờ số {view.paper}: không số hóa ({view.exempt_label})."
        else:
            message = f"Đã lưu giấy tờ số {view.paper}: {view.pages} trang."
        self._set_busy(False, message)
        emit(self.sig_changed, view)
        self.reload()

    def _on_failed(self, exc: object) -> None:
        self._set_busy(False, "Không thực hiện được.")
        emit(self.sig_failed, exc)
        show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    def view_selected(self) -> PdfViewer | None:
        paper = self._selected()
        if paper is None or paper.attachment is None or paper.attachment.exempt:
            return None
        try:
            path = self._services.attachments.pdf_path(paper.attachment.sha256)
        except Exception as exc:
            self._on_failed(exc)
            return None
        viewer = PdfViewer(path, f"Giấy tờ số {paper.paper}: {paper.name}", self, self._runner)
        viewer.sig_printed.connect(self._on_viewer_printed)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.destroyed.connect(self._forget_viewer)
        self.viewer = viewer
        viewer.show()
        return viewer

    def _forget_viewer(self) -> None:
        self.viewer = None

    def _on_viewer_printed(self, _pages: int) -> None:
        # a paper copy of a citizen's scan left the application: recorded like any export
        self._runner.run_serial(self._services.accounts.record_export, "attachment.printed", 1)

    def choose_exemption(self) -> None:
        paper = self.selected_paper()
        if paper is None or self._busy or not self._editable:
            return
        self._exempt_paper = paper
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Giấy tờ không số hóa")
        dialog.setLabelText("Lý do (Thông tư 03/2025/TT-VPCP, khoản 2 Điều 5):")
        dialog.setComboBoxItems(list(EXEMPTIONS.values()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self._on_exemption_picked)
        self.dialog = dialog
        dialog.open()

    def _on_exemption_picked(self, label: str) -> None:
        reason = next(k for k, v in EXEMPTIONS.items() if v == label)
        self.exempt(self._exempt_paper, reason)

    def exempt(self, paper: int, reason: str, note: str = "") -> None:
        """Record that `paper` is not digitised (reason: a key of EXEMPTIONS)."""
        self._set_busy(True, "Đang ghi…")
        self._runner.run_serial(
            self._services.attachments.exempt_paper,
            self._key,
            paper,
            reason,
            note,
            on_done=self._on_added,
            on_error=self._on_failed,
        )
