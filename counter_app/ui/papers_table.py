"""PapersTable: the intake checklist of papers (name, originals, copies, present), pre-filled from the procedure."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from counter_app.domain.dossier import PaperEntry
from counter_app.services.views import PaperView

NAME, ORIGINALS, COPIES, PRESENT = range(4)


class PapersTable(QTableWidget):
    """Counts are editable (the applicant may bring more copies); the last column is ticked when handed in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels(["Giấy tờ", "Bản chính", "Bản sao", "Đã nộp"])
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setWordWrap(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for column in (ORIGINALS, COPIES, PRESENT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def set_papers(self, papers: tuple[PaperView, ...] | list[Any], *, present: bool = True) -> None:
        self.setRowCount(0)
        for paper in papers:
            self.add_paper(paper.name, paper.originals, paper.copies, present)
        self.resizeRowsToContents()

    def add_paper(self, name: str, originals: int, copies: int, present: bool) -> None:
        row = self.rowCount()
        self.insertRow(row)
        name_item = QTableWidgetItem(name)
        name_item.setFlags(name_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.setItem(row, NAME, name_item)
        for column, count in ((ORIGINALS, originals), (COPIES, copies)):
            item = QTableWidgetItem()
            item.setData(Qt.ItemDataRole.EditRole, int(count))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setItem(row, column, item)
        check = QTableWidgetItem()
        check.setFlags((check.flags() | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsEditable)
        check.setCheckState(Qt.CheckState.Checked if present else Qt.CheckState.Unchecked)
        self.setItem(row, PRESENT, check)

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.item(row, column)
        assert item is not None, "every cell is filled by add_paper"
        return item

    def set_present(self, row: int, present: bool) -> None:
        self._cell(row, PRESENT).setCheckState(Qt.CheckState.Checked if present else Qt.CheckState.Unchecked)

    def is_present(self, row: int) -> bool:
        return self._cell(row, PRESENT).checkState() == Qt.CheckState.Checked

    def _count(self, row: int, column: int) -> int:
        value = self._cell(row, column).data(Qt.ItemDataRole.EditRole)
        try:
            return max(0, int(value))
        except (TypeError, ValueError):
            return 0

    def entries(self) -> list[tuple[PaperEntry, bool]]:
        """Each paper with whether it was handed in."""
        return [
            (
                PaperEntry(self._cell(r, NAME).text(), self._count(r, ORIGINALS), self._count(r, COPIES)),
                self.is_present(r),
            )
            for r in range(self.rowCount())
        ]

    def draft_rows(self) -> list[list[Any]]:
        """JSON-safe, for the draft."""
        return [[p.name, p.originals, p.copies, present] for p, present in self.entries()]

    def restore(self, rows: list[list[Any]]) -> None:
        self.setRowCount(0)
        for name, originals, copies, present in rows:
            self.add_paper(str(name), int(originals), int(copies), bool(present))
        self.resizeRowsToContents()
