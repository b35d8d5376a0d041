"""NavigationRail: the window's left column; who and where at the top, then the clerk's places with their counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.shell.clerk_name_prompt import ClerkNamePrompt

if TYPE_CHECKING:
    from counter_app.services.desk.queue import QueueCounts
    from counter_app.services.installation.counter_profile import StatusInfo

RAIL_WIDTH = 170


@dataclass(frozen=True)
class Place:
    key: str
    title: str
    key_hint: str = ""  # the shortcut shown after the title
    tooltip: str = ""
    group: int = 0  # places of the desk (0), then reference and administration (1)
    checkable: bool = True  # a place shown in the work area; "settings" opens a dialog instead


PLACES: tuple[Place, ...] = (
    Place("intake", "Tiếp nhận", "F2", "Tiếp nhận hồ sơ mới (F2)"),
    Place("today", "Hôm nay", "", "Hồ sơ tiếp nhận hôm nay (Ctrl+1)"),
    Place("due_soon", "Sắp đến hạn", "", "Hồ sơ sắp đến hạn trả kết quả (Ctrl+2)"),
    Place("overdue", "Quá hạn", "", "Hồ sơ đã quá hạn trả kết quả (Ctrl+3)"),
    Place("waiting", "Chờ bổ sung", "", "Hồ sơ chờ công dân bổ sung giấy tờ (Ctrl+4)"),
    Place("late", "Cần xin lỗi", "", "Hồ sơ cần lập phiếu xin lỗi và hẹn lại ngày trả (Ctrl+5)"),
    Place("dossiers", "Hồ sơ đang mở", "", "Các hồ sơ đang mở (Ctrl+6)"),
    Place("catalogue", "Danh mục", "", "Danh mục thủ tục hành chính (Ctrl+7)", group=1),
    Place("calendar", "Lịch", "", "Lịch làm việc, ngày nghỉ, ngày làm bù (Ctrl+8)", group=1),
    Place("statistics", "Thống kê", "", "Số liệu và báo cáo (Ctrl+9)", group=1),
    Place("backups", "Sao lưu", "", "Sao lưu và phục hồi dữ liệu (quản trị viên)", group=1),
    Place(
        "back_entry",
        "Nhập hồ sơ sau",
        "",
        "Hồ sơ đã tiếp nhận trên giấy: nhập lại từ liên lưu sau khi phục hồi dữ liệu, hoặc nhập với thời điểm "
        "tiếp nhận đã qua (cán bộ giám sát)",
        1,
        False,
    ),
    Place("accounts", "Tài khoản", "", "Thêm, vô hiệu hóa tài khoản; vai trò; đặt lại mật khẩu", group=1),
    Place("audit", "Nhật ký thao tác", "", "Ai làm gì, lúc nào, hồ sơ nào; kiểm tra tính toàn vẹn", group=1),
    Place("settings", "Thiết lập", "", "Thông tin cơ quan, giờ làm việc, máy in, máy chủ trung tâm", 1, False),
    Place("password", "Đổi mật khẩu", "", "Đổi mật khẩu của tài khoản đang đăng nhập", 1, False),
)
PLACE_SHORTCUTS = {p.key: f"Ctrl+{i}" for i, p in enumerate(PLACES[1:10], start=1)}

RAIL_STYLE = """
QFrame#rail { background: #eef1f5; border-right: 1px solid #c8cdd5; }
QLabel#railCounter { font-weight: bold; }
QLabel#railClerk { color: #444444; }
QPushButton[rail="true"] { text-align: left; border: none; border-radius: 4px; padding: 0px; background: transparent; }
QPushButton[rail="true"]:checked { background: #d4e3f7; }
QPushButton[rail="true"]:hover { background: #e0e7f1; }
QPushButton[rail="true"]:focus { border: 1px solid #2f6fbf; }
QFrame#rail QLabel { color: #1a1a1a; }
QFrame#rail QLabel:disabled { color: #9a9a9a; }
QLabel#railCount { color: #333333; }
QLabel#railCount[alert="true"] { color: #b00020; font-weight: bold; }
QLabel#railBadge { background: #b00020; color: white; font-weight: bold; border-radius: 9px; padding: 0px 5px; }
QLabel#railKey { color: #777777; }
"""


class RailButton(QPushButton):
    """One place: its title at the left, its count (or a red badge) at the right; checked while shown."""

    def __init__(self, place: Place, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.place = place
        self.setProperty("rail", True)
        self.setObjectName(f"rail_{place.key}")
        self.setCheckable(place.checkable)
        self.setToolTip(place.tooltip)
        self.setMinimumHeight(28)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.title_label = QLabel(place.title)
        self.count_label = QLabel()
        self.count_label.setObjectName("railCount")
        self.count_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.count_label.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 2, 8, 2)
        layout.setSpacing(4)
        layout.addWidget(self.title_label, 1)
        if place.key_hint:
            hint = QLabel(place.key_hint)
            hint.setObjectName("railKey")
            layout.addWidget(hint)
        layout.addWidget(self.count_label)
        self._count: int | None = None
        self.setAccessibleName(place.title)

    def set_count(self, count: int | None, *, alert: bool = False, badge: bool = False) -> None:
        """The number at the right (None: none); `alert` draws it in red, `badge` as a red badge (hidden at 0)."""
        self._count = count
        label = self.count_label
        label.setObjectName("railBadge" if badge else "railCount")
        label.setProperty("alert", alert)
        label.setText("" if count is None else str(count))
        label.setVisible(count is not None and not (badge and count == 0))
        if badge:
            from PySide6.QtCore import Qt  # after start-up: the services gave the count

            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumSize(18, 18)
        label.style().unpolish(label)
        label.style().polish(label)
        label.updateGeometry()
        self.setAccessibleName(self.text_with_count())

    def count(self) -> int | None:
        return self._count

    def text_with_count(self) -> str:
        return self.place.title if self._count is None else f"{self.place.title} ({self._count})"


class NavigationRail(QFrame):
    """Who and where (counter_label, clerk_label), then the places; Up/Down move between them, Enter opens one.

    Choosing a place emits sig_place_chosen; the window shows it and calls set_current() (also when the place
    was reached another way: F2, a scan, a search).
    """

    sig_place_chosen = Signal(str)
    """A place was chosen by the clerk (click, Enter or Space): its key."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rail")
        self.setStyleSheet(RAIL_STYLE)
        self.setFixedWidth(RAIL_WIDTH)
        self.counter_label = QLabel("Quầy —")
        self.counter_label.setObjectName("railCounter")
        self.counter_label.setWordWrap(True)
        self.clerk_label = QLabel()
        self.clerk_label.setObjectName("railClerk")
        self.clerk_label.setWordWrap(True)
        self.clerk_prompt = ClerkNamePrompt()  # without accounts, at the first start of a day (ui.shell.session)
        self.buttons: dict[str, RailButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 8, 6, 8)
        layout.setSpacing(2)
        layout.addWidget(self.counter_label)
        layout.addWidget(self.clerk_label)
        layout.addWidget(self.clerk_prompt)
        layout.addSpacing(8)
        group = 0
        for place in PLACES:
            if place.group != group:
                group = place.group
                line = QFrame()
                line.setFrameShape(QFrame.Shape.HLine)
                line.setFrameShadow(QFrame.Shadow.Sunken)
                layout.addSpacing(4)
                layout.addWidget(line)
                layout.addSpacing(4)
            button = RailButton(place)
            button.clicked.connect(lambda _checked=False, key=place.key: self._chosen(key))
            button.installEventFilter(self)
            if place.checkable:
                self._group.addButton(button)
            self.buttons[place.key] = button
            layout.addWidget(button)
        layout.addStretch(1)
        self.buttons["dossiers"].hide()  # until a dossier is open
        self.buttons["password"].hide()  # until someone signs in (ui.shell.session)
        self.buttons["backups"].hide()  # until an administrator signs in (Navigator.follow_role)
        self.buttons["back_entry"].hide()  # until a supervisor signs in (the same)

    def _chosen(self, key: str) -> None:
        emit(self.sig_place_chosen, key)

    def set_current(self, key: str | None) -> None:
        """Check the place in view (None: none of them, e.g. search results)."""
        button = self.buttons.get(key) if key else None
        if button is not None and button.isCheckable():
            button.setChecked(True)
            return
        self._group.setExclusive(False)
        for other in self._group.buttons():
            other.setChecked(False)
        self._group.setExclusive(True)

    def current(self) -> str | None:
        checked = self._group.checkedButton()
        return checked.place.key if isinstance(checked, RailButton) else None

    def set_count(self, key: str, count: int | None, *, alert: bool = False, badge: bool = False) -> None:
        self.buttons[key].set_count(count, alert=alert, badge=badge)

    def show_installation(self, info: StatusInfo) -> None:
        """Which counter of which agency, and who is at it."""
        if info.configured:
            self.counter_label.setText(f"Quầy {info.counter} – {info.agency_name}")
        else:
            self.counter_label.setText("Quầy chưa được thiết lập (bấm “Thiết lập”)")
        self.clerk_label.setText(f"Cán bộ: {info.clerk or '—'}")

    def show_queue_counts(self, counts: QueueCounts) -> None:
        values = {
            "today": counts.today,
            "due_soon": counts.due_soon,
            "overdue": counts.overdue,
            "waiting": counts.waiting_supplement,
        }
        for key, value in values.items():
            self.set_count(key, value, alert=key == "overdue" and value > 0)

    def show_late_counts(self, need: int, overdue: int) -> None:
        self.set_count("late", need, badge=True)
        self.buttons["late"].setToolTip(
            f"{need} hồ sơ cần lập phiếu xin lỗi và hẹn lại (sắp đến hạn hoặc quá hạn), "
            f"trong đó {overdue} hồ sơ đã quá hạn (Ctrl+5)"
        )

    def show_open_dossiers(self, count: int) -> None:
        self.set_count("dossiers", count)
        self.buttons["dossiers"].setVisible(count > 0)

    def text(self, key: str) -> str:
        """A place's title with its count, as a screen reader says it: "Hôm nay (3)"."""
        return self.buttons[key].text_with_count()

    def set_enabled_places(self, enabled: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(enabled)

    def focus_current(self) -> None:
        checked = self._group.checkedButton()
        (checked or self.buttons["intake"]).setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Up and Down move along the places, Enter opens one (Space does, as on any button)."""
        if isinstance(watched, RailButton) and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            from PySide6.QtCore import Qt  # at the first key press, not at start-up

            key = event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self._move(watched, -1 if key == Qt.Key.Key_Up else 1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                watched.click()
                return True
        return super().eventFilter(watched, event)

    def _move(self, button: RailButton, step: int) -> None:
        shown = [b for b in self.buttons.values() if b.isVisible() and b.isEnabled()]
        if button in shown:
            shown[(shown.index(button) + step) % len(shown)].setFocus()
