"""QueuePanel: the work queue page: one queue of the rail (or a search's results) as a table read page by page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.queue.dossier_table_model import DossierTableModel

if TYPE_CHECKING:
    from counter_app.services.common.changes import Changes
    from counter_app.services.common.views import DossierView
    from counter_app.services.desk.queue import QueueCounts
    from counter_app.services.registry import Services

QUEUE_TABS = (
    ("today", "Hôm nay"),
    ("due_soon", "Sắp đến hạn"),
    ("overdue", "Quá hạn"),
    ("waiting", "Chờ bổ sung"),
    ("search", "Kết quả tìm"),
)
QUEUE_TITLES = dict(QUEUE_TABS)
QUEUE_PAGE_TITLE = "Danh sách hồ sơ"


class _SearchPages:
    """A search as pages: one query (at most 200 rows, services.dossiers.find), then sliced."""

    def __init__(self, find: Callable[[str], list[DossierView]], text: str) -> None:
        self._find = find
        self._text = text
        self._rows: list[DossierView] | None = None

    def __call__(self, offset: int, limit: int) -> Sequence[DossierView]:
        if self._rows is None:
            self._rows = list(self._find(self._text))
        return self._rows[offset : offset + limit]


class QueuePanel(QWidget):
    """The queue chosen on the rail, or the results of a search; `top` (the start-up summary) above the title."""

    sig_open_dossier = Signal(str)
    """A row was activated (Enter or double click): the dossier's UUID."""
    sig_counts = Signal(object)
    """The queues' counts were read: the QueueCounts."""
    sig_wants_front = Signal()
    """A search was started: the page should come to the front."""

    def __init__(self, runner: TaskRunner, top: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Services | None = None
        self._key = QUEUE_TABS[0][0]  # a key of QUEUE_TABS
        self._search_text = ""
        self._counts: dict[str, int] = {}
        self._focus_results = False
        self._search_edit: QLineEdit | None = None
        self.title = QLabel("Đang mở cơ sở dữ liệu…")
        self.title.setObjectName("sectionTitle")
        self.model = DossierTableModel(runner, self)  # given to the table with the services
        self.table = QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.hint = QLabel("Enter hoặc nhấp đúp: mở hồ sơ · quét mã vạch hồ sơ ở bất cứ đâu để mở")
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(top)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)
        self.table.activated.connect(self._on_row_activated)
        self.model.sig_page_loaded.connect(self._on_page_loaded)
        self.model.sig_load_failed.connect(self._on_load_failed)

    @property
    def key(self) -> str:
        """The queue shown: a key of QUEUE_TABS ("search" for the results of a search)."""
        return self._key

    def set_services(self, services: Services) -> None:
        self._services = services
        self._attach_model()

    def _attach_model(self) -> None:
        """The table shows the model from when the services arrive; until then it is an empty frame.

        A Python item model makes the first paint build the Qt namespace's hundred enums (about 25 ms, a sixth of
        a bare window's start), which the frame can be shown without.
        """
        if self.table.model() is self.model:
            return
        self.table.setModel(self.model)
        metrics = self.table.fontMetrics()
        widths = (
            metrics.horizontalAdvance("000.00.00.H00-000000-0000") + 16,
            metrics.horizontalAdvance("Nguyễn Thị Minh Khai") + 12,
            metrics.horizontalAdvance("00/00/0000 00:00") + 16,
            metrics.horizontalAdvance("Sắp đến hạn · Đang xử lý tại cơ quan") + 12,
            metrics.horizontalAdvance("Đăng ký khai sinh") + 12,
        )
        for column, width in enumerate(widths):
            self.table.setColumnWidth(column, width)

    def show_queue(self, key: str) -> None:
        """One queue (a key of QUEUE_TABS), read again from the first page."""
        self._key = key
        if self._services is None:
            return
        self._show_title()
        queue = self._services.queue
        sources: dict[str, Callable[[int, int], Sequence[DossierView]]] = {
            "today": queue.list_today,
            "due_soon": queue.list_due_soon,
            "overdue": queue.list_overdue,
            "waiting": queue.list_waiting_supplement,
        }
        fetch: Callable[[int, int], Sequence[DossierView]] | None
        if key == "search":
            text = self._search_text
            fetch = _SearchPages(self._services.dossiers.find, text) if text else None
        else:
            fetch = sources[key]
        self.model.set_source(fetch, queue.lateness_of)

    def follow_search(self, edit: QLineEdit) -> None:
        """What is typed in `edit` is searched after a pause (two letters at least); Enter searches at once and
        selects the first result."""
        self._search_edit = edit
        self._debounce = QTimer(self, singleShot=True, interval=400)
        self._debounce.timeout.connect(self._live_search)
        edit.textEdited.connect(lambda _text: self._debounce.start())
        edit.returnPressed.connect(self._search_from_enter)

    def run_search(self, *, focus: bool = False) -> None:
        text = self._search_edit.text().strip() if self._search_edit is not None else ""
        if text and self._services is not None:
            self.search(text, focus=focus)
            emit(self.sig_wants_front)

    def _live_search(self) -> None:
        if self._search_edit is not None and len(self._search_edit.text().strip()) >= 2:
            self.run_search()

    def _search_from_enter(self) -> None:
        self._debounce.stop()
        self.run_search(focus=True)

    def search(self, text: str, *, focus: bool = False) -> None:
        """The results of a search; `focus`: select the first row and give the table the focus when it comes."""
        self._search_text = text
        self._focus_results = self._focus_results or focus
        self.show_queue("search")

    def _show_title(self) -> None:
        if self._key == "search":
            self.title.setText(f"Kết quả tìm “{self._search_text}”")
        else:
            count = self._counts.get(self._key)
            suffix = "" if count is None else f" — {count} hồ sơ"
            self.title.setText(f"{QUEUE_TITLES[self._key]}{suffix}")

    def _on_page_loaded(self, _added: int) -> None:
        if self._focus_results and self.model.rowCount():
            self._focus_results = False
            self.table.selectRow(0)
            self.table.setFocus()

    def _on_load_failed(self, exc: object) -> None:
        from counter_app.ui.widgets.errors import show_error

        show_error(self.window(), exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            emit(self.sig_open_dossier, self.model.dossier_at(index.row()).uuid)

    # refreshing
    def refresh(self) -> None:
        """The rows and the counts read again."""
        if self._services is not None:
            self.model.refresh()
            self.refresh_counts()

    def refresh_counts(self) -> None:
        if self._services is not None:
            self._runner.run_pooled(self._services.queue.counts, on_done=self._show_counts)

    def _show_counts(self, counts: QueueCounts) -> None:
        self._counts = {
            "today": counts.today,
            "due_soon": counts.due_soon,
            "overdue": counts.overdue,
            "waiting": counts.waiting_supplement,
        }
        emit(self.sig_counts, counts)
        self._show_title()

    def on_changes(self, changes: Changes, _initiator: object = None) -> None:
        """After an action or a sync: read again when the queues may have changed."""
        if changes.queue or changes.dossiers or changes.any_dossier:
            self.refresh()
