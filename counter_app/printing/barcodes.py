"""Code 128 (python-barcode's module pattern) and QR (segno's matrix) drawn as vector rectangles in reportlab."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Final

import barcode
import segno
from barcode.errors import BarcodeError
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from counter_app.errors import ValidationError
from counter_app.printing import fonts

log = logging.getLogger(__name__)

QUIET_MODULES: Final = 10  # ISO/IEC 15417 asks for at least ten modules of white on each side
QR_BORDER: Final = 4  # the QR quiet zone, in modules
MIN_MODULE_WIDTH: Final[float] = 0.33 * mm  # below this, office laser printers and hand scanners stop agreeing

QrMatrix = tuple[bytes, ...]


def code128_modules(text: str) -> str:
    """The Code 128 symbol of `text` as '1' (bar) / '0' (space) modules, without quiet zones.

    This is python-barcode's pattern, the same one the Qt widget paints, so print and screen always agree.
    """
    try:
        return str(barcode.get("code128", text).build()[0])
    except BarcodeError as error:
        raise ValidationError("barcode", f"Không tạo được mã vạch cho “{text}”.", detail=str(error)) from error


def qr_matrix(text: str) -> QrMatrix:
    """The QR code of `text` (error correction M) as rows of 0/1 modules, without the quiet zone.

    segno is several times faster than reportlab's own encoder: encode once per document, draw it per copy.
    """
    code = segno.make(text, error="m", micro=False, boost_error=False)
    return tuple(bytes(row) for row in code.matrix)


def _runs(cells: Sequence[int] | str, dark: int | str) -> Iterator[tuple[int, int]]:
    """(start, length) of each run of `dark` cells: one rectangle per bar keeps the PDF small and exact."""
    start = -1
    for position, cell in enumerate(cells):
        if cell == dark:
            if start < 0:
                start = position
        elif start >= 0:
            yield start, position - start
            start = -1
    if start >= 0:
        yield start, len(cells) - start


def _rects(runs: Iterator[tuple[int, int]], *, row: int) -> str:
    """PDF operators filling one unit-high rectangle per run on `row`.

    Written as integers through `addLiteral`: reportlab's float formatting of ~800 rectangles per QR code
    otherwise costs more than the rest of the receipt.
    """
    rects = " ".join(f"{start} {row} {length} 1 re" for start, length in runs)
    return f"{rects} f" if rects else ""


class Code128Flowable(Flowable):  # type: ignore[misc]  # reportlab ships no type information
    """A Code 128 symbol with its quiet zones and the human-readable text centred below it."""

    def __init__(
        self,
        text: str,
        *,
        module_width: float = 0.38 * mm,
        bar_height: float = 12 * mm,
        font_size: float = 9,
    ) -> None:
        super().__init__()
        self.text = text
        self.modules = code128_modules(text)
        self.preferred_module = module_width
        self.module = module_width
        self.bar_height = bar_height
        self.font_size = font_size

    @property
    def total_modules(self) -> int:
        return len(self.modules) + 2 * QUIET_MODULES

    @property
    def min_width(self) -> float:
        """The narrowest the symbol may be drawn and still scan reliably."""
        return self.total_modules * MIN_MODULE_WIDTH

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.module = min(self.preferred_module, avail_width / self.total_modules)
        if self.module < MIN_MODULE_WIDTH:
            log.warning("barcode modules narrowed to %.3f mm to fit the page", self.module / mm)
        self.width = self.module * self.total_modules
        self.height = self.bar_height + 1.5 * self.font_size
        return self.width, self.height

    def draw(self) -> None:
        canvas: Canvas = self.canv
        text_band = 1.5 * self.font_size
        canvas.saveState()
        canvas.setFillColorRGB(0, 0, 0)
        canvas.translate(QUIET_MODULES * self.module, text_band)
        canvas.scale(self.module, self.bar_height)
        canvas.addLiteral(_rects(_runs(self.modules, "1"), row=0))
        canvas.restoreState()
        canvas.setFont(fonts.REGULAR, self.font_size)
        canvas.drawCentredString(self.width / 2, 0.35 * self.font_size, self.text)


class QrFlowable(Flowable):  # type: ignore[misc]  # reportlab ships no type information
    """A QR symbol of a precomputed matrix, `size` wide including its quiet zone."""

    def __init__(self, matrix: QrMatrix, *, size: float = 24 * mm) -> None:
        super().__init__()
        self.matrix = matrix
        self.width = self.height = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas: Canvas = self.canv
        rows = len(self.matrix)
        module = self.width / (rows + 2 * QR_BORDER)
        canvas.saveState()
        canvas.setFillColorRGB(0, 0, 0)
        # in module units with y pointing down the matrix, so every coordinate is a small integer
        canvas.translate(QR_BORDER * module, (QR_BORDER + rows) * module)
        canvas.scale(module, -module)
        canvas.addLiteral(
            "\n".join(_rects(_runs(row, 1), row=number) for number, row in enumerate(self.matrix) if any(row))
        )
        canvas.restoreState()
