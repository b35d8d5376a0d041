"""Every Qt signal is emitted through ui.qt.qt_compat.emit: a bare `.emit(` anywhere in counter_app fails here.

Why: PySide6 6.12.0 on Python 3.11 loses a reference to True per Python-side emit and the interpreter aborts
after ~570 of them (shared/stack-notes.md); qt_compat.emit gives the reference back. The walk reads the source
with `ast` and imports nothing, so it runs without Qt too (make test-core).
"""

from __future__ import annotations

import ast
from pathlib import Path

import counter_app

PACKAGE = Path(counter_app.__file__).resolve().parent
THE_HELPER = PACKAGE / "ui" / "qt" / "qt_compat.py"

# `.emit` on objects that are not Qt signals: (folder below counter_app, the receiver's name). The command
# line's `Output.emit` prints a line or a JSON document; it lives where Qt is not allowed (lint-imports).
NOT_SIGNALS = {("cli", "out")}


def _receiver(node: ast.Attribute) -> str:
    return node.value.id if isinstance(node.value, ast.Name) else ast.unparse(node.value)


def bare_emits(source: str, folder: str) -> list[tuple[int, str]]:
    """(line, text) of each `X.emit` (called, or handed on as a slot) that does not go through the helper."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "emit" and (folder, _receiver(node)) not in NOT_SIGNALS:
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_no_signal_is_emitted_outside_qt_compat() -> None:
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == THE_HELPER:
            continue
        folder = path.relative_to(PACKAGE).parts[0]
        for line, text in bare_emits(path.read_text(encoding="utf-8"), folder):
            offences.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {text}(…)")
    assert not offences, "emit through counter_app.ui.qt.qt_compat.emit(signal, *args):\n" + "\n".join(offences)


def test_the_guard_sees_a_bare_emit() -> None:
    """The rule itself: a direct emit, a chained one and an emit handed on as a slot are all refused."""
    source = "self.sig_changed.emit(1)\nwidget.tabCloseRequested.emit(0)\nbutton.clicked.connect(self.sig_done.emit)\n"
    assert [line for line, _ in bare_emits(source, "ui")] == [1, 2, 3]
    assert bare_emits("emit(self.sig_changed, 1)\n", "ui") == []
    assert bare_emits("out.emit('text', {})\n", "cli") == []
    assert bare_emits("out.emit('text', {})\n", "ui") == [(1, "out.emit")]
