"""Prints the requirements of the core without Qt (make test-core): pyproject's dependencies and test tools, less Qt.

The core (domain, storage, services, printing, sync, central, cli) must work on a machine without PySide6; the
throwaway venv that `make test-core` builds from these lines proves it. Developer tools that run no test (ruff,
mypy, import-linter) and the browser driver of the integration tests are left out too.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

LEFT_OUT = {"pyside6-essentials", "pyside6-pdf", "pyside6-addons", "pyside6", "pytest-qt", "ruff", "mypy"}
LEFT_OUT |= {"import-linter", "selenium"}


def _name(requirement: str) -> str:
    """The normalized distribution name (PEP 503) of a requirement line."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def core_requirements(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return [line for line in lines if _name(line) not in LEFT_OUT]


if __name__ == "__main__":
    print("\n".join(core_requirements(Path(__file__).resolve().parent.parent / "pyproject.toml")))
