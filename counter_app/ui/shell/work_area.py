"""WorkArea: the window's work area, one page at a time; the open dossiers also have tabs across its top."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QHBoxLayout, QTabBar, QTabWidget, QVBoxLayout, QWidget

from counter_app.ui.qt.qt_compat import emit


class WorkArea(QTabWidget):
    """A stack of pages, each with a title (tabText), chosen from the window's rail: QTabWidget's API, its own
    tab bar hidden. Pages added with closable=True (dossiers) get a tab in `document_bar`, which the window
    shows above the work area while one of them is in view; closing such a tab emits tabCloseRequested with
    the page's index, as QTabWidget does, and the window decides.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDocumentMode(True)
        self.tabBar().hide()
        self.document_bar = QTabBar()
        self.document_bar.setObjectName("documentBar")
        self.document_bar.setTabsClosable(True)
        self.document_bar.setExpanding(False)
        self.document_bar.setDocumentMode(True)
        self.document_bar.hide()
        self._documents: list[QWidget] = []
        self._syncing = False
        self.document_bar.currentChanged.connect(self._on_document_tab)
        self.document_bar.tabCloseRequested.connect(self._on_document_close)
        self.currentChanged.connect(self._follow_current)

    def add_page(self, widget: QWidget, title: str, *, closable: bool = False, index: int = -1) -> int:
        """A page at `index` (the end by default); a closable one also gets a tab in document_bar."""
        index = self.insertTab(index, widget, title)
        if closable:
            self._documents.append(widget)
            self._syncing = True
            self.document_bar.addTab(title)
            self._syncing = False
            self.document_bar.setTabToolTip(self.document_bar.count() - 1, title)
        return index

    def documents(self) -> list[QWidget]:
        """The closable pages, in the order of their tabs."""
        self._forget_removed()
        return list(self._documents)

    def is_document(self, widget: QWidget | None) -> bool:
        return widget is not None and any(widget is w for w in self._documents)

    def tabRemoved(self, index: int) -> None:  # noqa: N802 - Qt override
        super().tabRemoved(index)
        self._forget_removed()

    def _forget_removed(self) -> None:
        for position in reversed(range(len(self._documents))):
            widget = self._documents[position]
            if not shiboken6.isValid(widget) or self.indexOf(widget) < 0:
                del self._documents[position]
                self._syncing = True
                self.document_bar.removeTab(position)
                self._syncing = False
        self._follow_current(self.currentIndex())

    def _follow_current(self, _index: int) -> None:
        current = self.currentWidget()
        shown = self.is_document(current)
        if shown:
            self._syncing = True
            self.document_bar.setCurrentIndex(next(i for i, w in enumerate(self._documents) if w is current))
            self._syncing = False
        self.document_bar.setVisible(shown)

    def _on_document_tab(self, position: int) -> None:
        if not self._syncing and 0 <= position < len(self._documents):
            self.setCurrentWidget(self._documents[position])

    def _on_document_close(self, position: int) -> None:
        if 0 <= position < len(self._documents):
            emit(self.tabCloseRequested, self.indexOf(self._documents[position]))


def three_zones(rail: QWidget, toolbar: QWidget, work_area: WorkArea) -> QWidget:
    """The window's zones (desk-layout.md): the rail | the toolbar (search, refresh, sync) over the document tabs
    over the work area; the message line goes below both (the window's status bar)."""
    column = QVBoxLayout()
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    column.addWidget(toolbar)
    column.addWidget(work_area.document_bar)
    column.addWidget(work_area, 1)
    central = QWidget()
    zones = QHBoxLayout(central)
    zones.setContentsMargins(0, 0, 0, 0)
    zones.setSpacing(0)
    zones.addWidget(rail)
    zones.addLayout(column, 1)
    return central
