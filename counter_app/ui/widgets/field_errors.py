"""FieldErrors: the red message under each field of a form, keyed like FormInvalid.errors."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

ERROR_STYLE = "color: #b00020;"


class FieldErrors:
    """Keeps one hidden red label per field; `show` fills them and returns the messages with no field here."""

    def __init__(self) -> None:
        self._labels: dict[str, QLabel] = {}
        self._widgets: dict[str, QWidget] = {}

    def label_for(self, key: str, widget: QWidget | None = None) -> QLabel:
        label = QLabel()
        label.setObjectName(f"error_{key}")
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        self._labels[key] = label
        if widget is not None:
            self._widgets[key] = widget
        return label

    def keys(self) -> list[str]:
        return list(self._labels)

    def message(self, key: str) -> str:
        label = self._labels.get(key)
        return label.text() if label is not None and not label.isHidden() else ""

    def show(self, errors: dict[str, str]) -> dict[str, str]:
        self.clear()
        unplaced: dict[str, str] = {}
        for key, message in errors.items():
            label = self._labels.get(key)
            if label is None:
                unplaced[key] = message
                continue
            label.setText(message)
            label.show()
        return unplaced

    def set(self, key: str, message: str) -> None:
        """Shows one field's message, leaving the others as they are."""
        label = self._labels[key]
        label.setText(message)
        label.show()

    def clear(self, key: str | None = None) -> None:
        labels = self._labels.values() if key is None else [self._labels[key]] if key in self._labels else []
        for label in labels:
            label.clear()
            label.hide()

    def first_widget(self, errors: dict[str, str]) -> QWidget | None:
        for key in errors:
            widget = self._widgets.get(key)
            if widget is not None:
                return widget
        return None


def add_field(form: QFormLayout, title: str, widget: QWidget, errors: FieldErrors, key: str) -> QWidget:
    """A form row whose field has its error label right under it; returns the row's field container."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    layout.addWidget(errors.label_for(key, widget))
    form.addRow(title, box)
    return box
