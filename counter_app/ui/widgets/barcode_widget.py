"""BarcodeWidget: a Code 128 barcode painted module by module with QPainter (QtSvg draws python-barcode badly)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

log = logging.getLogger(__name__)

QUIET_MODULES = 10  # the symbology's quiet zone on each side


def code128_modules(text: str) -> str:
    """The bars of `text` as a '1010…' string (1 = dark module), from python-barcode."""
    import barcode

    modules: str = barcode.get("code128", text).build()[0]
    return modules


class BarcodeWidget(QWidget):
    """Shows one value as Code 128; each module is a whole number of pixels so scanners read the screen."""

    def __init__(self, parent: QWidget | None = None, *, bar_height: int = 48) -> None:
        super().__init__(parent)
        self._value = ""
        self._modules = ""
        self._bar_height = bar_height
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Mã vạch")

    def value(self) -> str:
        return self._value

    def modules(self) -> str:
        return self._modules

    def set_value(self, text: str) -> None:
        self._value = text
        try:
            self._modules = code128_modules(text) if text else ""
        except Exception as exc:  # a value Code 128 cannot carry: show no barcode rather than fail the screen
            log.warning("no barcode for this value: %s", type(exc).__name__)
            self._modules = ""
        self.setToolTip(text)
        self.updateGeometry()
        self.update()

    def module_width(self) -> int:
        return 2

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        if not self._modules:
            return QSize(0, 0)
        width = (len(self._modules) + 2 * QUIET_MODULES) * self.module_width()
        return QSize(width, self._bar_height)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        if not self._modules:
            return
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        unit = max(1, (self.width() // (len(self._modules) + 2 * QUIET_MODULES)))
        x = (self.width() - unit * len(self._modules)) // 2
        height = self.height()
        black = QColor("black")
        start = None
        for i, module in enumerate(self._modules + "0"):
            if module == "1" and start is None:
                start = i
            elif module != "1" and start is not None:
                painter.fillRect(QRect(x + start * unit, 0, (i - start) * unit, height), black)
                start = None
        painter.end()
