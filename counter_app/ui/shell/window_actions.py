"""WindowActions: the window's commands (new intake, search, refresh, settings) and the toolbar over the work area
(search field, refresh, sync)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLineEdit, QToolBar, QWidget

from counter_app.ui.shell.rail import PLACE_SHORTCUTS, NavigationRail
from counter_app.ui.shell.sync_panel import SyncPanel

SHORTCUTS = (("intake_action", "F2"), ("search_action", "F3"), ("refresh_action", "F5"))


class WindowActions:
    """The actions belong to `window` (their shortcuts work wherever the focus is in it)."""

    def __init__(self, window: QWidget, sync_panel: SyncPanel) -> None:
        self.intake_action = QAction("Tiếp nhận mới", window)
        self.intake_action.setToolTip("Mở màn hình tiếp nhận hồ sơ (F2)")
        self.search_action = QAction("Tìm", window)
        self.search_action.setToolTip("Tìm theo mã hồ sơ, tên, số định danh, số điện thoại (F3)")
        self.refresh_action = QAction("Làm mới", window)
        self.refresh_action.setToolTip("Tải lại danh sách hồ sơ (F5)")
        self.settings_action = QAction("Thiết lập", window)
        self.settings_action.setToolTip("Thông tin cơ quan, giờ làm việc, máy in, máy chủ trung tâm")
        for name, key in SHORTCUTS:
            action: QAction = getattr(self, name)
            action.setIconText(f"{action.text()} ({key})")
        self.search_edit = QLineEdit(
            placeholderText="Tìm: mã hồ sơ, họ tên (không dấu cũng được), số định danh, điện thoại (F3)"
        )
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(260)
        # the top of the work area, not a movable window toolbar: search, refresh and sync, beside the rail's head
        self.toolbar = QToolBar("Thao tác")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)  # the actions have no icons: their buttons show their text
        self.toolbar.addWidget(self.search_edit)
        self.toolbar.addAction(self.refresh_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(sync_panel.action)
        for action in (self.intake_action, self.search_action, self.refresh_action, self.settings_action):
            window.addAction(action)

    def connect(
        self,
        intake: Callable[[], object],
        search: Callable[[], object],
        refresh: Callable[[], object],
        settings: Callable[[], object],
    ) -> None:
        """What each action does (the window's methods)."""
        self.intake_action.triggered.connect(intake)
        self.search_action.triggered.connect(search)
        self.refresh_action.triggered.connect(refresh)
        self.settings_action.triggered.connect(settings)

    def set_ready(self, ready: bool, *, may_settings: bool) -> None:
        """Nothing acts before the services are ready or while the session is locked; the settings need the role."""
        for action in (self.intake_action, self.search_action, self.refresh_action):
            action.setEnabled(ready)
        self.search_edit.setEnabled(ready)
        self.settings_action.setEnabled(ready and may_settings)

    def set_shortcuts(self, window: QWidget, rail: NavigationRail, go_to: Callable[[str], None]) -> None:
        """Set once the services arrive, not at start: a shortcut builds the Qt namespace (main_window's top)."""
        if not self.intake_action.shortcut().isEmpty():
            return
        for name, key in SHORTCUTS:
            action: QAction = getattr(self, name)
            action.setShortcut(QKeySequence(key))
        for place, key in PLACE_SHORTCUTS.items():  # the rail's places
            shortcut = QAction(rail.buttons[place].place.title, window)
            shortcut.setShortcut(QKeySequence(key))
            shortcut.triggered.connect(lambda _checked=False, p=place: go_to(p))
            window.addAction(shortcut)
