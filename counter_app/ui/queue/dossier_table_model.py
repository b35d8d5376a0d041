"""DossierTableModel: the work queue's rows (DossierView), loaded page by page off the UI thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Signal
from PySide6.QtGui import QBrush, QColor

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner

if TYPE_CHECKING:  # the rows come from the services, which the window gets after it is shown
    from PySide6.QtCore import Qt

    from counter_app.domain.lateness import Lateness
    from counter_app.services.common.views import DossierView

PageFetch = Callable[[int, int], "Sequence[DossierView]"]
Annotate = Callable[["Sequence[DossierView]"], "dict[str, Lateness]"]
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

COLUMNS = ("Mã hồ sơ / phiếu", "Người nộp", "Hẹn trả", "Tình trạng", "Thủ tục", "Tiếp nhận")
# keyed by the values of Lateness (a StrEnum: its members look these up)
_COLOURS = {"overdue": QColor("#b00020"), "due_soon": QColor("#a15c00")}
# Qt.ItemDataRole's values (an IntEnum, so they compare equal): importing `Qt` builds the Qt namespace's hundred
# enums (~25 ms), which the main window's first paint does without (app.py); the table gets this model later.
DISPLAY_ROLE = 0  # Qt.ItemDataRole.DisplayRole
TOOLTIP_ROLE = 3  # Qt.ItemDataRole.ToolTipRole
FOREGROUND_ROLE = 9  # Qt.ItemDataRole.ForegroundRole
DOSSIER_ROLE = 256  # Qt.ItemDataRole.UserRole: the DossierView


@dataclass(frozen=True)
class _Page:
    generation: int
    rows: list[DossierView]
    lateness: dict[str, Lateness]


def _load_page(fetch: PageFetch, annotate: Annotate | None, generation: int, offset: int, limit: int) -> _Page:
    """Runs in a worker: one page of view objects and their lateness."""
    rows = list(fetch(offset, limit))
    return _Page(generation, rows, annotate(rows) if annotate else {})


class DossierTableModel(QAbstractTableModel):
    """Rows arrive a page at a time: the view asks (canFetchMore/fetchMore) as the clerk scrolls down."""

    sig_page_loaded = Signal(int)
    """A page arrived: how many rows it added."""
    sig_load_failed = Signal(object)
    """A page could not be loaded: the exception."""

    def __init__(self, runner: TaskRunner, parent: QObject | None = None, *, page_size: int = 50) -> None:
        super().__init__(parent)
        self._runner = runner
        self._page_size = page_size
        self._rows: list[DossierView] = []
        self._lateness: dict[str, Lateness] = {}
        self._fetch: PageFetch | None = None
        self._annotate: Annotate | None = None
        self._generation = 0
        self._loading = False
        self._exhausted = True

    # source
    def set_source(self, fetch: PageFetch | None, annotate: Annotate | None = None) -> None:
        """Show the rows of `fetch(offset, limit)` from the first page; None empties the table."""
        self.beginResetModel()
        self._fetch, self._annotate = fetch, annotate
        self._rows, self._lateness = [], {}
        self._generation += 1
        self._loading = False
        self._exhausted = fetch is None
        self.endResetModel()
        if fetch is not None:
            self._request_page()

    def refresh(self) -> None:
        self.set_source(self._fetch, self._annotate)

    @property
    def loading(self) -> bool:
        return self._loading

    def _request_page(self) -> None:
        assert self._fetch is not None
        self._loading = True
        self._runner.run_pooled(
            _load_page,
            self._fetch,
            self._annotate,
            self._generation,
            len(self._rows),
            self._page_size,
            on_done=self._on_page,
            on_error=self._on_page_failed,
        )

    def _on_page(self, page: _Page) -> None:
        if page.generation != self._generation:
            return  # the source changed while this page was loading
        self._loading = False
        if len(page.rows) < self._page_size:
            self._exhausted = True
        known = {r.uuid for r in self._rows}
        fresh = [r for r in page.rows if r.uuid not in known]
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self._lateness.update(page.lateness)
            self.endInsertRows()
        emit(self.sig_page_loaded, len(fresh))

    def _on_page_failed(self, exc: object) -> None:
        self._loading = False
        self._exhausted = True
        emit(self.sig_load_failed, exc)

    def canFetchMore(self, parent: Index = _ROOT) -> bool:  # noqa: N802 - Qt override
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index = _ROOT) -> None:  # noqa: N802 - Qt override
        if self.canFetchMore(parent):
            self._request_page()

    # reading
    def dossier_at(self, row: int) -> DossierView:
        return self._rows[row]

    def rows(self) -> list[DossierView]:
        return list(self._rows)

    def lateness_of(self, uuid: str) -> Lateness | None:
        return self._lateness.get(uuid)

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY_ROLE) -> Any:  # noqa: N802 - Qt override
        from PySide6.QtCore import Qt  # built by now: Qt passed `orientation` as one of its enums

        if orientation == Qt.Orientation.Horizontal and role == DISPLAY_ROLE:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = DISPLAY_ROLE) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        view = self._rows[index.row()]
        if role == DISPLAY_ROLE:
            return self._text(view, index.column())
        if role == TOOLTIP_ROLE:
            late = self._lateness.get(view.uuid)
            extra = f" — {late.label}" if late in _COLOURS else ""
            return f"{view.stage_name} ({view.status_name}){extra}"
        if role == FOREGROUND_ROLE:
            colour = _COLOURS.get(self._lateness.get(view.uuid) or "")
            return QBrush(colour) if colour is not None else None
        if role == DOSSIER_ROLE:
            return view
        return None

    def _text(self, view: DossierView, column: int) -> str:
        from counter_app.ui.widgets.formatting import vn_moment  # imported once rows exist (its zoneinfo is not free)

        if column == 0:
            return view.code or view.slip or ""
        if column == 1:
            return view.applicant_name
        if column == 2:
            return vn_moment(view.due_at) if view.due_at else "—"
        if column == 3:
            late = self._lateness.get(view.uuid)
            if late in _COLOURS:
                assert late is not None
                return f"{late.label} · {view.stage_name}"
            return view.stage_name
        if column == 4:
            return view.procedure_name
        return vn_moment(view.received_at)
