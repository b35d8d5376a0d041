"""Mutation testing with mutmut: the pure domain over the unit tests, the sync's push and pull over PostgreSQL.

Run with `make mutation` (not part of `make test`), or `python scripts/mutation.py [--modules calendar ...]`;
`--modules sync/push sync/pull` (a name with a folder is a module of counter_app/, a bare name one of domain/)
measures the sync's push and pull over a chosen set of integration tests against one PostgreSQL cluster.

mutmut works in a `mutants/` copy of the project in its current directory and reads its settings from
pyproject.toml. To leave the checkout alone (other people work in it while this runs), everything happens in a
copy under build/mutation/ whose pyproject.toml gets a [tool.mutmut] section; the checkout's pyproject.toml is
not changed. The measured figures replace the part of docs/test-strength.md between the two markers below; the
rest of that file (why each surviving mutant is equivalent, or which test now kills it) is written by hand.

The sync modules are tested against a real PostgreSQL. mutmut runs the tests of each mutant in a new pytest
session in a forked process, where the suite's session fixture `pg_cluster` would create and start a cluster
for every mutant (seconds each, and a mutant killed at its time limit would leave a running server behind).
Instead this script starts one cluster for the whole run and a small pytest plugin (written to
build/mutation/plugins/, loaded with `-p`) hands it out as `pg_cluster`; each test still gets its own central
database. mutmut's per-function selection then runs, for each mutant, only those of SYNC_TESTS that call the
mutated function in the test process (tests that reach it only through a `counter-app` subprocess do not count).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "mutation"
DOC = ROOT / "docs" / "test-strength.md"
BEGIN = "<!-- mutation:begin (written by scripts/mutation.py; edits inside are overwritten) -->"
END = "<!-- mutation:end -->"
# The sync modules' figures go to a block of their own, so that a run of either group leaves the other's alone.
SYNC_BEGIN = "<!-- mutation-sync:begin (written by scripts/mutation.py; edits inside are overwritten) -->"
SYNC_END = "<!-- mutation-sync:end -->"
# The modules of issue 22: the day arithmetic, due dates, lateness, the audit chain and the number scopes.
DEFAULT_MODULES = ("calendar", "deadlines", "lateness", "audit_chain", "number_scopes")
SYNC_MODULES = ("sync/push", "sync/pull")
MUTMUT_VERSION = "3.8.1"
UNIT_TESTS = ("tests/unit",)
# The tests run on the sync modules' mutants: those that push and pull in the test process, against PostgreSQL,
# in seconds. Left out: the crash and fault-injection tests (a counter-app subprocess killed at random moments:
# slow, and their sync runs in the subprocess, where mutmut's selection does not see it), the sync service's tests
# (the service runs in its own process) and the audit chain's (a Secret Service and `audit verify` subprocesses
# per test; their refusals of forks and rewrites are asserted in the focused module).
SYNC_TESTS = (
    "tests/integration/test_sync_mutants_push_pull.py",
    "tests/integration/test_sync_two_counters.py",
    "tests/integration/test_pull_cursor.py",
    "tests/integration/test_own_history.py",
    "tests/integration/test_sync_hostile_text.py",
)
# Burns transaction ids up to the next power of ten: on a cluster shared by every mutant each run of it goes ten
# times further than the one before (minutes, then hours). It runs on a fresh cluster in `make test`.
SYNC_DESELECTED = (
    "tests/integration/test_pull_cursor.py::test_counters_hold_every_dossier_after_transaction_ids_cross_a_power_of_ten",
)
PLUGIN = "mutation_shared_pg"
SHARED_PG_ENV = "COUNTER_APP_MUTATION_PG"
# The plugin: `pg_cluster` is the cluster this script started (described by the JSON file $SHARED_PG_ENV names),
# not a new one; the session ends without stopping it.
PLUGIN_SOURCE = '''"""pytest plugin of scripts/mutation.py: the suite's `pg_cluster` is one cluster for every mutant."""

import json
import os
from pathlib import Path

import pytest

TEST_SECONDS = 180


def _shared_cluster():
    import trustme
    from support.pg_cluster import PgCluster

    info = json.loads(Path(os.environ["COUNTER_APP_MUTATION_PG"]).read_text(encoding="utf-8"))
    cluster = PgCluster(Path(info["bindir"]), Path(info["base_dir"]), info["port"], info["password"])
    cluster.ca = trustme.CA.from_pem(info["ca_cert"].encode(), info["ca_key"].encode())
    return cluster


def pytest_sessionstart(session):
    """The suite names a test's central database (and its roles) by the process id and a count from 1 that
    starts again with every session; the cluster being shared, what an earlier session of this process id left
    (mutmut's first runs share one process; a mutant stopped at its time limit never tears down) is dropped."""
    if "COUNTER_APP_MUTATION_PG" not in os.environ:
        return
    from psycopg import sql

    pid = os.getpid()
    with _shared_cluster().admin_connect() as conn:
        names = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"central_sync_{pid}_%"])
        for (name,) in names.fetchall():
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        roles = conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", [f"ca_central_sync_{pid}_%"])
        for (name,) in roles.fetchall():
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """A mutant that makes the sync wait for ever (a future never resolved, a lock never released) spends no CPU
    time, so mutmut's CPU limit never stops it: a test still running after TEST_SECONDS ends the process, which
    mutmut counts as killed (the suite's slowest test takes about ten seconds)."""
    import faulthandler
    import sys

    # the real stderr: mutmut replaces sys.stderr with a catcher that has no file descriptor
    faulthandler.dump_traceback_later(TEST_SECONDS, exit=True, file=sys.__stderr__)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.argname != "pg_cluster" or "COUNTER_APP_MUTATION_PG" not in os.environ:
        return None
    cluster = _shared_cluster()
    fixturedef.cached_result = (cluster, fixturedef.cache_key(request), None)
    return cluster
'''


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


def _path(module: str) -> str:
    """`calendar` -> counter_app/domain/calendar.py; `sync/push` -> counter_app/sync/push.py."""
    return f"counter_app/{module if '/' in module else 'domain/' + module}.py"


def _is_sync(modules: list[str]) -> bool:
    return any(m.startswith("sync/") for m in modules)


def _prepare(modules: list[str], fresh: bool, deselect: list[str]) -> None:
    if fresh and WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache")
    for name in ("counter_app", "resources", "tests"):
        shutil.rmtree(WORK / name, ignore_errors=True)
        shutil.copytree(ROOT / name, WORK / name, ignore=ignore)
    only = ", ".join(f'"{_path(m)}"' for m in modules)
    tests = SYNC_TESTS if _is_sync(modules) else UNIT_TESTS
    selection = ", ".join(f'"{t}"' for t in tests)
    plugin = ""
    if _is_sync(modules):
        plugin = f', "-p", "{PLUGIN}"' + "".join(f', "--deselect", "{t}"' for t in (*SYNC_DESELECTED, *deselect))
    (WORK / "plugins").mkdir(exist_ok=True)
    (WORK / "plugins" / f"{PLUGIN}.py").write_text(PLUGIN_SOURCE, encoding="utf-8")
    settings = f"""

[tool.mutmut]
source_paths = ["counter_app"]
only_mutate = [{only}]
also_copy = ["resources"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"{plugin}]
pytest_add_cli_args_test_selection = [{selection}]
use_git_change_detection = false
"""
    (WORK / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8") + settings, "utf-8")


@contextlib.contextmanager
def _shared_cluster() -> Iterator[dict[str, str]]:
    """One PostgreSQL cluster (the suite's own kind: TLS only, throwaway CA) for the whole run; the variables
    that point the plugin at it. Started from the copy's tests/support, stopped and removed at the end."""
    sys.path.insert(0, str(WORK / "tests"))
    try:
        from support.pg_cluster import running_pg_cluster
    finally:
        sys.path.remove(str(WORK / "tests"))
    with running_pg_cluster() as cluster:
        assert cluster.ca is not None
        info = {
            "bindir": str(cluster.bindir),
            "base_dir": str(cluster.base_dir),
            "port": cluster.port,
            "password": cluster.password,
            "ca_cert": cluster.ca.cert_pem.bytes().decode(),
            "ca_key": cluster.ca.private_key_pem.bytes().decode(),
        }
        described = WORK / "shared_pg.json"
        described.touch(mode=0o600)
        described.write_text(json.dumps(info), encoding="utf-8")
        try:
            yield {SHARED_PG_ENV: str(described)}
        finally:
            described.unlink(missing_ok=True)


def _run_mutmut(max_children: int, sync: bool, names: list[str]) -> None:
    mutmut = Path(sys.executable).parent / "mutmut"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with contextlib.ExitStack() as stack:
        if sync:
            env.update(stack.enter_context(_shared_cluster()))
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(WORK / "plugins"), env.get("PYTHONPATH")]))
        command = [str(mutmut), "run", "--max-children", str(max_children), *names]
        subprocess.run(command, cwd=WORK, env=env, check=True)


def _show(name: str, module: str) -> str:
    """The changed lines of a mutant (what `mutmut show` prints, without starting a process per mutant)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    here = Path.cwd()
    os.chdir(WORK)  # mutmut finds its files relative to the current directory
    try:
        shown = get_diff_for_mutant(name, path=Path(_path(module)))
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
        meta = WORK / "mutants" / f"{_path(module)}.meta"
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes: dict[str, int | None] = data["exit_code_by_key"]
        statuses = Counter(_status(code) for code in codes.values())
        survivors = tuple(sorted(name for name, code in codes.items() if _status(code) != "killed"))
        survivors = tuple(name for name in survivors if _status(codes[name]) != "timeout")
        scores.append(ModuleScore(module, statuses, survivors))
    return scores


def _report(scores: list[ModuleScore], command: str, sync: bool, seconds: float | None) -> str:
    begin, end = (SYNC_BEGIN, SYNC_END) if sync else (BEGIN, END)
    out = [begin, ""]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    tests = ", ".join(f"`{t.removeprefix('tests/integration/')}`" for t in SYNC_TESTS) if sync else "`tests/unit` only"
    if sync:
        tests = f"in tests/integration, against one PostgreSQL cluster: {tests}"
    took = f" ({seconds / 60:.0f} min on {os.cpu_count()} cores)" if seconds is not None else ""
    out.append(f"Measured {stamp} with mutmut {MUTMUT_VERSION}{took}, tests: {tests}. Reproduce: `{command}`.")
    out.append("")
    out.append("| module | mutants | killed | timeout | survived | other | score |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    total = Counter[str]()
    for s in scores:
        other = s.total - s.statuses["killed"] - s.statuses["timeout"] - s.statuses["survived"]
        out.append(
            f"| `{_path(s.module).removeprefix('counter_app/')}` | {s.total} | {s.statuses['killed']} "
            f"| {s.statuses['timeout']} "
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
    out.extend(["", end])
    return "\n".join(out)


def _write_doc(section: str, sync: bool) -> None:
    begin, end = (SYNC_BEGIN, SYNC_END) if sync else (BEGIN, END)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Test strength\n\n{begin}\n{end}\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--modules",
        nargs="+",
        default=list(DEFAULT_MODULES),
        help="names in domain/ (calendar) or paths in counter_app/ (sync/push); the sync modules run on their own",
    )
    parser.add_argument("--max-children", type=int, default=max(1, (os.cpu_count() or 2)))
    parser.add_argument("--keep", action="store_true", help="reuse build/mutation (mutmut's cache) if present")
    parser.add_argument(
        "--retry-survivors",
        action="store_true",
        help="with --keep: run again the mutants not killed last time (after new tests), keeping the other results",
    )
    parser.add_argument(
        "--deselect",
        action="append",
        default=[],
        metavar="NODEID",
        help="a sync test to leave out (e.g. one failing in the working tree for reasons of its own); repeatable",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="write the figures of the results in build/mutation without running mutmut (e.g. after an interruption)",
    )
    parser.add_argument("--no-doc", action="store_true", help="print the figures without writing the document")
    args = parser.parse_args()
    modules: list[str] = args.modules
    for module in modules:
        if not (ROOT / _path(module)).is_file():
            parser.error(f"no module {_path(module)}")
    sync = _is_sync(modules)
    if sync and not all(m in SYNC_MODULES for m in modules):
        parser.error(f"the sync modules ({' '.join(SYNC_MODULES)}) run on their own, with their own tests")
    if args.retry_survivors and not args.keep:
        parser.error("--retry-survivors needs --keep")
    # a `kill` ends the run through the `finally`s: the shared PostgreSQL cluster is stopped and removed
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    started = datetime.now(UTC)
    retry = [n for s in _scores(modules) for n in s.survivors] if args.retry_survivors else []
    if not args.report_only:
        _prepare(modules, fresh=not args.keep, deselect=args.deselect)
        if retry:
            # mutmut keeps which tests call which function from its first run and does not see tests added
            # since: collected again, so that the new tests are run on the mutants they were written for
            (WORK / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
        _run_mutmut(args.max_children, sync, retry)
    seconds = None if args.report_only else (datetime.now(UTC) - started).total_seconds()
    scores = _scores(modules)
    command = "make mutation"
    if tuple(modules) != DEFAULT_MODULES:
        command = f"make mutation MUTATION_MODULES='{' '.join(modules)}'"
    section = _report(scores, command, sync, seconds)
    if args.no_doc:
        print(section)
    else:
        _write_doc(section, sync)
        print(f"wrote {DOC.relative_to(ROOT)}")
    for s in scores:
        print(f"{s.module:>14}: {s.killed}/{s.total} killed ({s.score:.1f}%), {len(s.survivors)} not killed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
