"""MessageLine: the window's bottom line; what just happened is never cut, the permanent fields shorten first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

if TYPE_CHECKING:
    from counter_app.domain.clock import Clock

FIELD_FLOOR_PX = 56  # a shortened field still shows its first word and the ellipsis
MESSAGE_MIN_PX = 160
NO_LIMIT = 16_777_215  # QWIDGETSIZE_MAX


class ElidedLabel(QLabel):
    """A one-line plain-text label that may be narrower than its text: it then ends with "…" and the whole text
    is in its tooltip. text() is always the whole text."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), FIELD_FLOOR_PX), hint.height())

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's API
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        rect = self.contentsRect()
        metrics = self.fontMetrics()
        if metrics.horizontalAdvance(self.text()) <= rect.width():
            super().paintEvent(event)
            return
        from PySide6.QtCore import Qt  # only when shortened: the start-up's first paint goes without it

        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        elided = metrics.elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), elided)


class MessageLine(QStatusBar):
    """The status bar of the main window, as one message line.

    showMessage() writes to a label of its own that wraps onto a second line rather than cut a long message;
    before it wraps, the permanent fields on the right (add_field) give up their width, down to a few letters
    each (ElidedLabel, or any widget whose labels elide). A message stays until the next one or its timeout; it
    never takes the focus. Every caller of showMessage() is Python code, which reaches this override.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.message_label = QLabel()
        self.message_label.setObjectName("messageLine")
        self.message_label.setWordWrap(True)
        self.message_label.setMinimumWidth(MESSAGE_MIN_PX)
        self.message_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.addWidget(self.message_label, 1)
        self._fields: list[QWidget] = []
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.clearMessage)

    def add_field(self, widget: QWidget) -> None:
        """A permanent field at the right end; it shortens when a message needs the width."""
        self._fields.append(widget)
        self.addPermanentWidget(widget)
        self._fit()

    def showMessage(self, text: str, timeout: int | None = 0) -> None:  # noqa: N802 - QStatusBar's API
        self.message_label.setText(text)
        self.message_label.setToolTip(text)
        if timeout:
            self._timer.start(timeout)
        else:
            self._timer.stop()
        self._fit()

    def currentMessage(self) -> str:  # noqa: N802 - QStatusBar's API
        return self.message_label.text()

    def clearMessage(self) -> None:  # noqa: N802 - QStatusBar's API
        self._timer.stop()
        self.message_label.clear()
        self.message_label.setToolTip("")
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Give the message the width it needs on one line, taken from the fields first (each in proportion to
        its natural width, none below FIELD_FLOOR_PX); what is still missing makes the message wrap."""
        fields = [f for f in self._fields if not f.isHidden()]
        for field in fields:
            field.setMaximumWidth(NO_LIMIT)
        spacing = 12 * (len(fields) + 1)
        need = self.message_label.fontMetrics().horizontalAdvance(self.message_label.text()) + 8
        natural = [f.sizeHint().width() for f in fields]
        excess = need + sum(natural) + spacing - self.width()
        if excess <= 0 or not fields:
            return
        shrinkable = [max(0, width - FIELD_FLOOR_PX) for width in natural]
        total = sum(shrinkable)
        if total == 0:
            return
        take = min(excess, total)
        for field, width, room in zip(fields, natural, shrinkable, strict=True):
            field.setMaximumWidth(width - (take * room + total - 1) // total)


class DeskStatusLine(MessageLine):
    """The window's message line with its permanent fields: the sync field, today's date, the local database."""

    def __init__(self, sync_field: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.date_label = ElidedLabel()
        self.db_label = ElidedLabel("CSDL cục bộ: đang mở…")
        for field in (sync_field, self.date_label, self.db_label):
            self.add_field(field)
        self._clock: Clock | None = None
        self._date_timer: QTimer | None = None

    def follow_clock(self, clock: Clock) -> None:
        """Today's date, from the services' clock (a drill's included), read again every minute."""
        self._clock = clock
        if self._date_timer is None:
            self._date_timer = QTimer(self, interval=60_000)
            self._date_timer.timeout.connect(self._show_date)
        self._date_timer.start()
        self._show_date()

    def _show_date(self) -> None:
        from counter_app.ui.widgets.formatting import vn_date

        if self._clock is not None:
            self.date_label.setText(f"Hôm nay: {vn_date(self._clock.now())}")

    def show_database(self, name: str | None) -> None:
        """The local database's file name once it is open; None: it could not be opened."""
        self.db_label.setText("CSDL cục bộ: lỗi khi mở" if name is None else f"CSDL cục bộ: sẵn sàng ({name})")
