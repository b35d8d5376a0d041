"""The domain does no I/O and reads neither the clock nor randomness: checked on its source with `ast`.

Files, the clock and new identities are the callers' (services, storage, counter_app.identities): they read them
and hand the results in, so the domain gives the same answer to the same arguments, on the counter and the central.
import-linter keeps libraries out of the domain; this test looks at the calls it makes with what it may import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "counter_app" / "domain"

# Fully qualified callables (after resolving the module's imports) that read a file, the clock or randomness.
FORBIDDEN_CALLS = frozenset(
    {
        "open",
        "io.open",
        "os.open",
        "os.urandom",
        "os.getrandom",
        "datetime.datetime.now",
        "datetime.datetime.today",
        "datetime.datetime.utcnow",
        "datetime.date.today",
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.perf_counter",
        "time.localtime",
        "uuid.uuid1",
        "uuid.uuid4",
        "uuid6.uuid6",
        "uuid6.uuid7",
        "uuid6.uuid8",
    }
)
# Whole modules whose every call reads randomness (or the next identity): any call into them is refused.
FORBIDDEN_MODULES = ("random", "secrets", "counter_app.identities")
# Methods that read or write a file whatever the object (Path.read_text and the like).
FILE_METHODS = frozenset({"read_text", "read_bytes", "write_text", "write_bytes"})


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> qualified name, for every import of the module (at any depth)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None when the chain does not start at a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def impure_calls(source: str) -> list[str]:
    """The calls of `source` that read a file, the clock or randomness: "line: qualified name" each."""
    tree = ast.parse(source)
    imported = _imported_names(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module in FORBIDDEN_MODULES or module.startswith(tuple(m + "." for m in FORBIDDEN_MODULES)):
                    found.append(f"{node.lineno}: import {module}")
            continue
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in FILE_METHODS:
            found.append(f"{node.lineno}: .{func.attr}()")
            continue
        parts = _dotted(func)
        if parts is None:
            continue
        head = imported.get(parts[0], "open" if parts == ["open"] else None)
        if head is None:
            continue  # a local name, a parameter (the clock handed in), a builtin other than open
        qualified = ".".join([head, *parts[1:]])
        if qualified in FORBIDDEN_CALLS or qualified.startswith(tuple(m + "." for m in FORBIDDEN_MODULES)):
            found.append(f"{node.lineno}: {qualified}()")
    return found


@pytest.mark.parametrize("path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: p.name)
def test_the_domain_module_does_no_io_and_reads_no_clock(path: Path) -> None:
    assert impure_calls(path.read_text(encoding="utf-8")) == [], f"{path.name} reads a file, the clock or randomness"


@pytest.mark.parametrize(
    "source",
    [
        "def f(p):\n    return open(p).read()",
        "from pathlib import Path\ndef f():\n    return Path('x').read_text()",
        "def f(p):\n    return p.read_bytes()",
        "from datetime import datetime\ndef f():\n    return datetime.now()",
        "import datetime as dt\ndef f():\n    return dt.datetime.now()",
        "from datetime import date\ndef f():\n    return date.today()",
        "import time\ndef f():\n    return time.time()",
        "import uuid\ndef f():\n    return uuid.uuid4()",
        "from uuid import uuid1\ndef f():\n    return uuid1()",
        "from uuid6 import uuid7\ndef f():\n    return uuid7()",
        "import os\ndef f():\n    return os.urandom(16)",
        "import random\ndef f():\n    return random.random()",
        "def f():\n    from secrets import token_hex\n    return token_hex()",
    ],
)
def test_the_check_sees_each_kind_of_impure_call(source: str) -> None:
    assert impure_calls(source) != []


def test_the_check_lets_pure_code_through() -> None:
    source = (
        "from datetime import datetime, timedelta\nimport uuid\n"
        "def f(clock, text):\n"
        "    moment = clock.now()\n"  # the clock handed in
        "    return moment + timedelta(days=1), datetime.fromisoformat(text), uuid.UUID(text)\n"
    )
    assert impure_calls(source) == []
