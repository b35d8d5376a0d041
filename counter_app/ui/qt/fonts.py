"""The application font: Noto Sans from resources/fonts, which draws stacked Vietnamese marks unclipped."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from counter_app.resources import resources_dir

log = logging.getLogger(__name__)

FAMILY = "Noto Sans"
POINT_SIZE = 10


def load_app_fonts(app: QApplication) -> str | None:
    """Register the shipped Noto Sans files and make it the application font; None if they are missing.

    DejaVu Sans and Be Vietnam Pro clip capitals such as Ấ and Ỗ at the top in Qt widgets (stack-notes.md),
    so a missing font is logged; the window still works with the system font.
    """
    directory = resources_dir() / "fonts"
    families: set[str] = set()
    for path in sorted(directory.glob("NotoSans-*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("font file could not be loaded: %s", path.name)
            continue
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    if FAMILY not in families:
        log.warning("Noto Sans not found in %s; using the system font", directory)
        return None
    app.setFont(QFont(FAMILY, POINT_SIZE))
    return FAMILY
