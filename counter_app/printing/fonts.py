"""Noto Sans for reportlab: where the shipped font files are, and their one-time registration."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Final

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from counter_app.errors import CounterError
from counter_app.resources import resources_dir

REGULAR: Final = "NotoSans"
BOLD: Final = "NotoSans-Bold"
ITALIC: Final = "NotoSans-Italic"
BOLD_ITALIC: Final = "NotoSans-BoldItalic"
_FILES: Final = {
    REGULAR: "NotoSans-Regular.ttf",
    BOLD: "NotoSans-Bold.ttf",
    ITALIC: "NotoSans-Italic.ttf",
    BOLD_ITALIC: "NotoSans-BoldItalic.ttf",
}

_lock = threading.Lock()
_registered = False


def resources_root() -> Path:
    """The `resources/` folder of this installation (see counter_app.resources)."""
    return resources_dir()


def font_paths() -> dict[str, Path]:
    """Registered font name -> TTF file."""
    folder = resources_root() / "fonts"
    return {name: folder / filename for name, filename in _FILES.items()}


def register_fonts() -> None:
    """Register the four Noto Sans faces and their family with reportlab; later calls do nothing."""
    global _registered  # noqa: PLW0603  # one process-wide registration is what reportlab expects
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, path in font_paths().items():
            if not path.is_file():
                raise CounterError(
                    "Không tìm thấy phông chữ để in. Vui lòng cài đặt lại chương trình.",
                    detail=f"missing font file {path}",
                )
            try:
                pdfmetrics.registerFont(TTFont(name, str(path)))
            except TTFError as error:
                raise CounterError(
                    "Phông chữ để in bị hỏng. Vui lòng cài đặt lại chương trình.", detail=f"{path}: {error}"
                ) from error
        for bold, italic, name in ((0, 0, REGULAR), (1, 0, BOLD), (0, 1, ITALIC), (1, 1, BOLD_ITALIC)):
            addMapping(REGULAR, bold, italic, name)
        _registered = True
