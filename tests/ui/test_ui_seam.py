"""The seam between the window and the services: the UI goes through the typed `Services` registry only.

No module under counter_app/ui reaches through `.context.` into the unit of work, the settings cache or the
database, and none probes the services with `hasattr` / `getattr` (a probe of a lazy service builds it on the UI
thread): optional parts are explicit capabilities. Read from the syntax tree, so comments and texts do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import counter_app.ui

UI_DIR = Path(counter_app.ui.__file__).parent
PROBES = frozenset({"hasattr", "getattr"})


def _names_services(node: ast.expr) -> bool:
    """`services`, `self.services`, `self._services`, `window.services`..."""
    if isinstance(node, ast.Name):
        return node.id.lstrip("_") == "services"
    if isinstance(node, ast.Attribute):
        return node.attr.lstrip("_") == "services"
    return False


def seam_breaches(source: str) -> list[str]:
    """Each `x.context.y` and each hasattr/getattr on the services, as "line: what"."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "context":
            found.append(f"{node.lineno}: .context.{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in PROBES
            and node.args
            and _names_services(node.args[0])
        ):
            found.append(f"{node.lineno}: {node.func.id}({ast.unparse(node.args[0])}, ...)")
    return sorted(found, key=lambda text: int(text.split(":")[0]))


def test_the_ui_goes_through_the_services_only() -> None:
    breaches = {
        str(path.relative_to(UI_DIR)): found
        for path in sorted(UI_DIR.rglob("*.py"))
        if (found := seam_breaches(path.read_text(encoding="utf-8")))
    }
    assert breaches == {}


def test_the_check_sees_a_breach_and_not_a_comment() -> None:
    source = """
# services.context.settings() in a comment is fine, and so is "hasattr(services, 'x')" in a text
text = "services.context.clock"
a = services.context.settings()
b = self._services.context.clock.now()
if hasattr(services, "documents"):
    pass
c = getattr(self._services, "attachments", None)
d = hasattr(exc, "message")
"""
    assert seam_breaches(source) == [
        "4: .context.settings",
        "5: .context.clock",
        "6: hasattr(services, ...)",
        "8: getattr(self._services, ...)",
    ]
