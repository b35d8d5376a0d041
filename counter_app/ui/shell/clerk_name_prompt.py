"""ClerkNamePrompt: the rail's question "who is at the counter today" on an installation without accounts.

It sits under the rail's "Cán bộ:" line, not in a dialog: a modal box at start would take the focus from the
intake form and from a scanner burst, while a field the clerk clicks when ready asks without stopping anyone.
It stays in view (the rail is on every page, the start-up summary only on the queue page and can be hidden)
until a name is confirmed, prefilled with the last confirmed name (yesterday's clerk).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from counter_app.ui.qt.qt_compat import emit

QUESTION = "Họ và tên cán bộ tiếp nhận hôm nay"
PROMPT_STYLE = "QFrame#clerkPrompt { background: #fff4d6; border: 1px solid #d9a400; border-radius: 4px; }"


class ClerkNamePrompt(QFrame):
    sig_confirmed = Signal(str)
    """The clerk confirmed the name of today's clerk (the text as typed)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clerkPrompt")
        self.setStyleSheet(PROMPT_STYLE)
        self.question_label = QLabel(QUESTION)
        self.question_label.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(QUESTION)
        self.name_edit.setPlaceholderText("Họ và tên")
        # only a click gives it the focus: never Tab from the rail, never the window's first focus
        self.name_edit.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.name_edit.returnPressed.connect(self._confirm)
        self.confirm_button = QPushButton("Lưu")
        self.confirm_button.setToolTip("Lưu họ tên cán bộ tiếp nhận hôm nay (Enter)")
        self.confirm_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.confirm_button.setAutoDefault(False)
        self.confirm_button.setMaximumWidth(48)  # the rail is narrow: the name gets the width
        self.confirm_button.clicked.connect(self._confirm)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #b00020;")
        self.message_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.question_label)
        answer = QHBoxLayout()
        answer.setSpacing(2)
        answer.addWidget(self.name_edit, 1)
        answer.addWidget(self.confirm_button)
        layout.addLayout(answer)
        layout.addWidget(self.message_label)
        self.hide()

    def ask(self, name: str) -> None:
        """Show the question prefilled with `name` (the last confirmed one); the focus stays where it is."""
        if not self.isVisible() or not self.name_edit.hasFocus():
            self.name_edit.setText(name)
        self.message_label.hide()
        self.show()

    def answered(self) -> None:
        self.message_label.hide()
        self.hide()

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.show()

    def _confirm(self) -> None:
        name = " ".join(self.name_edit.text().split())
        if not name:
            self.show_message("Cần nhập họ và tên.")
            return
        emit(self.sig_confirmed, name)
