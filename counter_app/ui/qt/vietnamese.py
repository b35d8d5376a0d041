"""Vietnamese in Qt's own widgets: the default locale and the labels of the standard buttons, set once at start.

No Vietnamese translation of Qt ships in the PySide6 wheels (stack-notes.md): the locale gives the calendar's and
the date edits' month and day names; the standard buttons of every QMessageBox and QDialogButtonBox take their
labels from this module's translator, so no dialog has to relabel its own buttons. Should a later wheel ship
`qtbase_vi.qm`, it is loaded too, under this module's labels (the project's words win where both have one).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

VIETNAMESE = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)

# Qt's source texts (QPlatformTheme::defaultStandardButtonText and the themes that override it, QMessageBox's
# details button) and the project's words for them.
QT_LABELS: dict[str, str] = {
    "OK": "Đồng ý",
    "&OK": "Đồng ý",
    "Cancel": "Hủy",
    "&Cancel": "Hủy",
    "&Yes": "&Có",
    "Yes": "Có",
    "Yes to &All": "Có với tất cả",
    "&No": "&Không",
    "No": "Không",
    "N&o to All": "Không với tất cả",
    "Close": "Đóng",
    "&Close": "Đóng",
    "Save": "Lưu",
    "&Save": "Lưu",
    "Save All": "Lưu tất cả",
    "Open": "Mở",
    "Apply": "Áp dụng",
    "Retry": "Thử lại",
    "Abort": "Hủy bỏ",
    "Ignore": "Bỏ qua",
    "Discard": "Bỏ thay đổi",
    "Don't Save": "Không lưu",
    "Close without Saving": "Đóng, không lưu",
    "Help": "Trợ giúp",
    "Reset": "Đặt lại",
    "Restore Defaults": "Khôi phục mặc định",
    "Show Details...": "Xem chi tiết…",
    "Hide Details...": "Ẩn chi tiết…",
}
# the translation contexts those texts are asked for in
QT_CONTEXTS = frozenset({"QPlatformTheme", "QGnomeTheme", "QKdeTheme", "QMessageBox", "QDialogButtonBox"})


class ProjectTranslator(QTranslator):
    """Answers Qt's requests for the standard buttons' texts with QT_LABELS; anything else is left to Qt."""

    def translate(self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1) -> str:
        if context in QT_CONTEXTS:
            return QT_LABELS.get(source_text, "")
        return ""

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return False


def install_vietnamese(app: QCoreApplication) -> None:
    """Vietnamese month and day names and button labels for every widget made from now on (idempotent)."""
    QLocale.setDefault(VIETNAMESE)
    if app.findChild(ProjectTranslator) is not None:
        return
    qt_own = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_own.load(VIETNAMESE, "qtbase", "_", folder):
        app.installTranslator(qt_own)
        log.info("Qt's Vietnamese translation loaded from %s", folder)
    else:
        qt_own.deleteLater()
    # installed last: asked first
    app.installTranslator(ProjectTranslator(app))
