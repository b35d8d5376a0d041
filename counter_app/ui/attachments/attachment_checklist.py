"""AttachmentChecklist: the table of a dossier's papers, each with what of it is digitised and synced."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from counter_app.services.attachments.views import AttachmentView, PaperDigitisation

COLUMNS = ("STT", "Giấy tờ", "Bản chính / bản sao", "Đã số hóa", "Đồng bộ")
SYNC_LABELS = {0: "Chờ gửi", 1: "Đã gửi", 2: "Gửi lỗi, sẽ thử lại", 3: "Đã tải về"}
NOT_FETCHED = "Chưa tải về"  # digitised at another counter; the file comes from the central when the dossier opens


def sync_label(attachment: AttachmentView) -> str:
    return SYNC_LABELS.get(attachment.sync_state, "") if attachment.file_here else NOT_FETCHED


def pages_text(paper: PaperDigitisation) -> str:
    attachment = paper.attachment
    if paper.missing:
        return "Còn thiếu"
    if attachment is None:
        return "Chưa số hóa"
    if attachment.exempt:
        return f"Không số hóa: {attachment.exempt_label}"
    return f"{attachment.pages} trang"


class AttachmentChecklist(QTableWidget):
    """One row a paper: number, name, originals and copies, pages digitised (or why not), sync state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.horizontalHeader()
        for column in (0, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

    def fill(self, papers: list[PaperDigitisation]) -> None:
        """The rows of `papers`; the selection is the caller's."""
        self.setRowCount(len(papers))
        for row, paper in enumerate(papers):
            attachment = paper.attachment
            synced = ""
            if attachment is not None and not attachment.exempt:
                synced = sync_label(attachment)
            cells = (
                str(paper.paper),
                paper.name,
                f"{paper.originals} / {paper.copies}",
                pages_text(paper),
                synced,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if paper.missing:
                    item.setForeground(Qt.GlobalColor.gray)
                self.setItem(row, column, item)
        self.resizeRowsToContents()

    def pages_shown(self, paper: int) -> str:
        item = self.item(paper - 1, 3)
        return item.text() if item is not None else ""

    def selected_paper(self) -> int | None:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        return rows[0].row() + 1 if rows else None
