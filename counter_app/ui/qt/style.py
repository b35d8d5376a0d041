"""The window's style sheet: a few named roles (primary button, hint, titles) over the platform style."""

from __future__ import annotations

STYLE_SHEET = """
QPushButton#primary { font-weight: bold; padding: 4px 14px; }
QLabel#hint { color: #555555; }
QLabel#confirmTitle { color: #1b5e20; font-weight: bold; font-size: 13pt; }
QLabel#dueLabel { font-weight: bold; }
QLabel#confirmDue { font-size: 12pt; font-weight: bold; }
QLabel#sectionTitle { font-weight: bold; }
QGroupBox { font-weight: bold; }
QGroupBox QLabel, QGroupBox QLineEdit, QGroupBox QComboBox, QGroupBox QTableWidget, QGroupBox QCheckBox,
QGroupBox QRadioButton, QGroupBox QPlainTextEdit, QGroupBox QSpinBox, QGroupBox QListWidget,
QGroupBox QPushButton { font-weight: normal; }
"""
