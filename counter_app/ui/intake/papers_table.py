"""PapersTable: the intake checklist of papers (name, required or conditional, originals, copies, handed in)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFocusEvent, QFont, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from counter_app.domain.dossier import PaperEntry
from counter_app.domain.procedure import is_conditional_paper
from counter_app.services.common.views import PaperView
from counter_app.ui.qt.qt_compat import emit

NAME, REQUIREMENT, ORIGINALS, COPIES, PRESENT = range(5)
REQUIRED_TEXT = "Bắt buộc"
CONDITIONAL_TEXT = "Có điều kiện"
CONDITIONAL_COLOUR = QColor("#666666")
# a completed Mẫu 02 slip's papers: what was handed in at the first visit, what the slip asked for
EARLIER, ASKED = "earlier", "asked"
NOTE_TEXTS = {EARLIER: "Đã nộp lần trước", ASKED: "Cần bổ sung"}
NOTE_COLOURS = {EARLIER: QColor("#e6f4ea"), ASKED: QColor("#fff4e5")}
NOTE_ROLE = Qt.ItemDataRole.UserRole


class PapersTable(QTableWidget):
    """One row per paper of the procedure, none ticked: the clerk ticks what the applicant hands in.

    A paper whose catalogue name carries a condition ("nếu có", "nếu nộp thay") is marked "Có điều kiện" and
    greyed: it is neither demanded at acceptance nor printed as received unless ticked. Counts start at what the
    catalogue requires and stay editable (the applicant may bring more copies). Space ticks (or unticks) the
    current row and moves to the next one, so the papers are ticked in a row of Spaces; Enter asks the owner to
    move on (sig_enter) and changes nothing here.
    """

    sig_enter = Signal()
    """Enter (or Return) on the checklist, outside a count being edited: the clerk is done with the papers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 5, parent)
        self.setHorizontalHeaderLabels(["Giấy tờ", "Yêu cầu", "Bản chính", "Bản sao", "Đã nộp"])
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
        for column in (REQUIREMENT, ORIGINALS, COPIES, PRESENT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """As tall as its minimum: the table takes the room the form leaves (its stretch), never asks for more.

        QAbstractScrollArea's default hint (~190 px) went into the intake columns' height-for-width, and the form's
        scroll area scrolled by a few pixels at 1366×728 although every field fitted (issue 16.1).
        """
        hint = super().sizeHint()
        return QSize(hint.width(), self.minimumHeight())

    def set_papers(self, papers: tuple[PaperView, ...] | list[Any]) -> None:
        """The procedure's papers, none handed in yet."""
        self.setRowCount(0)
        for paper in papers:
            self.add_paper(paper.name, paper.originals, paper.copies, False)
        self.resizeRowsToContents()

    def add_paper(self, name: str, originals: int, copies: int, present: bool, note: str = "") -> None:
        row = self.rowCount()
        self.insertRow(row)
        conditional = is_conditional_paper(name)
        name_item = QTableWidgetItem(name)
        name_item.setFlags(name_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        requirement = QTableWidgetItem(CONDITIONAL_TEXT if conditional else REQUIRED_TEXT)
        requirement.setFlags(requirement.flags() & ~Qt.ItemFlag.ItemIsEditable)
        if conditional:
            tip = (
                "Giấy tờ có điều kiện: chỉ đánh dấu “Đã nộp” khi người nộp có giao; "
                "không đánh dấu thì không ghi vào giấy tiếp nhận."
            )
            italic = QFont(self.font())
            italic.setItalic(True)
            for item in (name_item, requirement):
                item.setForeground(QBrush(CONDITIONAL_COLOUR))
                item.setFont(italic)
                item.setToolTip(tip)
        else:
            name_item.setToolTip(f"Bắt buộc: {originals} bản chính, {copies} bản sao.")
        self.setItem(row, NAME, name_item)
        self.setItem(row, REQUIREMENT, requirement)
        for column, count in ((ORIGINALS, originals), (COPIES, copies)):
            item = QTableWidgetItem()
            item.setData(Qt.ItemDataRole.EditRole, int(count))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setItem(row, column, item)
        check = QTableWidgetItem()
        check.setFlags((check.flags() | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsEditable)
        check.setCheckState(Qt.CheckState.Checked if present else Qt.CheckState.Unchecked)
        self.setItem(row, PRESENT, check)
        if note in NOTE_TEXTS:
            check.setText(NOTE_TEXTS[note])
            check.setData(NOTE_ROLE, note)
            for column in range(self.columnCount()):
                self._cell(row, column).setBackground(QBrush(NOTE_COLOURS[note]))

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        # Qt gives a current row on focus only until one has ever been set; this table is refilled for every
        # citizen, and Space needs a row to tick whichever way the focus came (Tab, the program)
        super().focusInEvent(event)
        if self.currentRow() < 0 and self.rowCount() and event.reason() != Qt.FocusReason.MouseFocusReason:
            self.setCurrentCell(0, 0)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        # Space ticks the row wherever its current cell is, so the clerk need not move to the last column
        row = self.currentRow()
        editing = self.state() == QAbstractItemView.State.EditingState
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() == Qt.Key.Key_Space and row >= 0 and not editing:
            self.set_present(row, not self.is_present(row))
            if row + 1 < self.rowCount():
                self.setCurrentCell(row + 1, max(0, self.currentColumn()))
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain and not editing:
            event.accept()
            emit(self.sig_enter)
            return
        super().keyPressEvent(event)

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.item(row, column)
        assert item is not None, "every cell is filled by add_paper"
        return item

    def set_present(self, row: int, present: bool) -> None:
        self._cell(row, PRESENT).setCheckState(Qt.CheckState.Checked if present else Qt.CheckState.Unchecked)

    def is_present(self, row: int) -> bool:
        return self._cell(row, PRESENT).checkState() == Qt.CheckState.Checked

    def is_conditional(self, row: int) -> bool:
        return is_conditional_paper(self._cell(row, NAME).text())

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

    def first_missing_row(self) -> int:
        """The row of the first required paper not ticked, -1 when none is missing."""
        return next((r for r in range(self.rowCount()) if not self.is_present(r) and not self.is_conditional(r)), -1)

    def missing_required(self) -> list[str]:
        """The required (not conditional) papers not ticked, in the catalogue's order."""
        return [
            self._cell(r, NAME).text()
            for r in range(self.rowCount())
            if not self.is_present(r) and not self.is_conditional(r)
        ]

    def note(self, row: int) -> str:
        """EARLIER, ASKED (a completed slip's papers) or ""."""
        return str(self._cell(row, PRESENT).data(NOTE_ROLE) or "")

    def draft_rows(self) -> list[list[Any]]:
        """JSON-safe, for the draft."""
        return [[p.name, p.originals, p.copies, present, self.note(r)] for r, (p, present) in enumerate(self.entries())]

    def restore(self, rows: list[list[Any]]) -> None:
        self.setRowCount(0)
        for name, originals, copies, present, *note in rows:
            self.add_paper(str(name), int(originals), int(copies), bool(present), str(note[0]) if note else "")
        self.resizeRowsToContents()
