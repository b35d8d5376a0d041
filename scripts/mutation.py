"""Mutation testing of the pure domain with mutmut, over the fast unit tests only; writes docs/test-strength.md.

Run with `make mutation` (not part of `make test`), or `python scripts/mutation.py [--modules calendar ...]`.

mutmut works in a `mutants/` copy of the project in its current directory and reads its settings from
pyproject.toml. To leave the checkout alone (other people work in it while this runs), everything happens in a
copy under build/mutation/ whose pyproject.toml gets a [tool.mutmut] section; the checkout's pyproject.toml is
not changed. The measured figures replace the part of docs/test-strength.md between the two markers below; the
rest of that file (why each surviving mutant is equivalent, or which test now kills it) is written by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "mutation"
DOC = ROOT / "docs" / "test-strength.md"
BEGIN = "<!-- mutation:begin (written by scripts/mutation.py; edits inside are overwritten) -->"
END = "<!-- mutation:end -->"
# The modules of issue 22: the day arithmetic, due dates, lateness, the audit chain and the number scopes.
DEFAULT_MODULES = ("calendar", "deadlines", "lateness", "audit_chain", "number_scopes")
MUTMUT_VERSION = "3.8.1"


@dataclass(frozen=True)
class ModuleScore:
    module: str
    statuses: Counter[str]
    survivors: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def killed(self) -> int:
        # a timeout is a mutant the tests stopped (an endless loop): counted as killed, as mutmut's own score does
        return self.statuses["killed"] + self.statuses["timeout"]

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.total if self.total else 0.0


def _status(exit_code: int | None) -> str:
    from mutmut.stats import status_by_exit_code

    return str(status_by_exit_code[exit_code])


def _prepare(modules: list[str], fresh: bool) -> None:
    if fresh and WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache")
    for name in ("counter_app", "resources", "tests"):
        shutil.rmtree(WORK / name, ignore_errors=True)
        shutil.copytree(ROOT / name, WORK / name, ignore=ignore)
    only = ", ".join(f'"counter_app/domain/{m}.py"' for m in modules)
    settings = f"""

[tool.mutmut]
source_paths = ["counter_app"]
only_mutate = [{only}]
also_copy = ["resources"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]
pytest_add_cli_args_test_selection = ["tests/unit"]
use_git_change_detection = false
"""
    (WORK / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8") + settings, "utf-8")


def _run_mutmut(max_children: int) -> None:
    mutmut = Path(sys.executable).parent / "mutmut"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run([str(mutmut), "run", "--max-children", str(max_children)], cwd=WORK, env=env, check=True)


def _show(name: str, module: str) -> str:
    """The changed lines of a mutant (what `mutmut show` prints, without starting a process per mutant)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    here = Path.cwd()
    os.chdir(WORK)  # mutmut finds its files relative to the current directory
    try:
        shown = get_diff_for_mutant(name, path=Path("counter_app") / "domain" / f"{module}.py")
    finally:
        os.chdir(here)
    lines = [
        line
        for line in shown.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---")) and line[1:].strip()
    ]
    return "\n".join(lines)


def _scores(modules: list[str]) -> list[ModuleScore]:
    scores = []
    for module in modules:
        meta = WORK / "mutants" / "counter_app" / "domain" / f"{module}.py.meta"
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes: dict[str, int | None] = data["exit_code_by_key"]
        statuses = Counter(_status(code) for code in codes.values())
        survivors = tuple(sorted(name for name, code in codes.items() if _status(code) != "killed"))
        survivors = tuple(name for name in survivors if _status(codes[name]) != "timeout")
        scores.append(ModuleScore(module, statuses, survivors))
    return scores


def _report(scores: list[ModuleScore], command: str) -> str:
    out = [BEGIN, ""]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out.append(f"Measured {stamp} with mutmut {MUTMUT_VERSION}, tests: `tests/unit` only. Reproduce: `{command}`.")
    out.append("")
    out.append("| module | mutants | killed | timeout | survived | other | score |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    total = Counter[str]()
    for s in scores:
        other = s.total - s.statuses["killed"] - s.statuses["timeout"] - s.statuses["survived"]
        out.append(
            f"| `domain/{s.module}.py` | {s.total} | {s.statuses['killed']} | {s.statuses['timeout']} "
            f"| {s.statuses['survived']} | {other} | {s.score:.1f}% |"
        )
        total.update(s.statuses)
    killed = total["killed"] + total["timeout"]
    all_mutants = sum(total.values())
    other = all_mutants - killed - total["survived"]
    score = 100.0 * killed / all_mutants if all_mutants else 0.0
    out.append(
        f"| **all** | {all_mutants} | {total['killed']} | {total['timeout']} | {total['survived']} | {other} "
        f"| **{score:.1f}%** |"
    )
    out.append("")
    out.append("Surviving mutants (the changed lines; `mutmut show <name>` in build/mutation gives the whole diff):")
    out.append("")
    for s in scores:
        for name in s.survivors:
            out.append(f"- `{name}`")
            out.append("  ```diff")
            out.extend(f"  {line}" for line in _show(name, s.module).splitlines())
            out.append("  ```")
    if not any(s.survivors for s in scores):
        out.append("- none")
    out.extend(["", END])
    return "\n".join(out)


def _write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Test strength\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", nargs="+", default=list(DEFAULT_MODULES), help="module names in domain/")
    parser.add_argument("--max-children", type=int, default=max(1, (os.cpu_count() or 2)))
    parser.add_argument("--keep", action="store_true", help="reuse build/mutation (mutmut's cache) if present")
    parser.add_argument("--no-doc", action="store_true", help="print the figures without writing the document")
    args = parser.parse_args()
    modules: list[str] = args.modules
    for module in modules:
        if not (ROOT / "counter_app" / "domain" / f"{module}.py").is_file():
            parser.error(f"no module counter_app/domain/{module}.py")
    _prepare(modules, fresh=not args.keep)
    _run_mutmut(args.max_children)
    scores = _scores(modules)
    command = "make mutation"
    if tuple(modules) != DEFAULT_MODULES:
        command = f"make mutation MUTATION_MODULES='{' '.join(modules)}'"
    section = _report(scores, command)
    if args.no_doc:
        print(section)
    else:
        _write_doc(section)
        print(f"wrote {DOC.relative_to(ROOT)}")
    for s in scores:
        print(f"{s.module:>14}: {s.killed}/{s.total} killed ({s.score:.1f}%), {len(s.survivors)} not killed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
