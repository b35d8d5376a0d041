"""UI figures of `make bench`: start-up against a bare PySide6 window, event-loop stalls, peak memory.

Each figure is measured in a fresh subprocess (the offscreen platform unless QT_QPA_PLATFORM says otherwise) that
runs the real application the way a clerk starts it (`counter_app.__main__.main`, or `counter_app.app.start_app`
with the same arguments); this module's top level imports only the standard library, so the child's own overhead
is the same for the application and for the bare window it is compared with.

Run alone: `python -m scripts.bench_ui startup DB`, `python -m scripts.bench_ui stall [DOSSIERS [PAGES]]`,
`python -m scripts.bench_ui memory DB`.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AGENCY = "000.17.22.H56"
CHILD_TIMEOUT_S = 600.0
PYCACHE = Path(tempfile.gettempdir()) / "counter-app-bench-pycache"

# targets (docs/benchmark-targets.md explains each)
STARTUP_RATIO_TARGET = 1.5  # start to a shown main window, against a bare QMainWindow shown
QUEUE_TARGET_S = 1.0  # start to the work queue's first page on screen
STALL_TARGET_MS = 50.0  # longest gap of a 5 ms UI timer while a sync and a 100-page print run
MEMORY_TARGET_MB = 300.0  # peak resident memory of the application process, database open and browsed

TICK_MS = 5
ROWS_PER_BOOK_PAGE = 9  # the tracking book (Mẫu 07) holds about nine dossiers a page
BROWSE_ROWS = 2000  # rows scrolled through in each queue tab by the memory figure
OPENED_DOSSIERS = 20


@dataclass(frozen=True)
class StartupBench:
    bare_s: float  # median, start to a bare QMainWindow painted
    app_s: float  # median, start to the application's main window painted
    queue_s: float  # median, start to the work queue's first page loaded
    runs: int

    @property
    def ratio(self) -> float:
        return self.app_s / self.bare_s


@dataclass(frozen=True)
class StallBench:
    max_gap_ms: float  # longest gap between two ticks of a 5 ms timer while the jobs ran
    p99_gap_ms: float
    idle_max_gap_ms: float  # the same timer with the window idle, just before
    gaps_over_target: int
    sync_dossiers: int
    sync_events: int
    sync_s: float
    pages: int
    render_s: float
    print_s: float
    printer: str  # "CUPS-PDF queue" or "PDF file"


@dataclass(frozen=True)
class MemoryBench:
    peak_mb: float  # peak resident set of the application process
    idle_mb: float  # peak once the window had its services, before browsing
    rows_browsed: int
    dossiers_opened: int
    search_rows: int


def _child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # An installed application runs from compiled bytecode: the children keep theirs in a cache of this run
    # (filled by the warm-up runs) even where PYTHONDONTWRITEBYTECODE is set, without touching the checkout.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.update(extra or {})
    return env


def run_child(mode: str, *args: str, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `python -m scripts.bench_ui child-MODE ARGS` and return the JSON object it prints last.

    BENCH_T0 carries the wall-clock moment just before the process is spawned, so the child's figures count
    the interpreter's own start too.
    """
    env = _child_env(extra_env)
    env["BENCH_T0"] = repr(time.time())
    result = subprocess.run(
        [sys.executable, "-m", "scripts.bench_ui", f"child-{mode}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    if os.environ.get("BENCH_DEBUG"):
        sys.stderr.write(result.stderr)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"bench child {mode} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    data: dict[str, Any] = json.loads(lines[-1])
    return data


def cli(db: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "counter_app", "--db", str(db), *args], check=True, capture_output=True, text=True
    )
    return result.stdout


# -- start-up ---------------------------------------------------------------------------------------------------


def bench_startup(db: Path, runs: int = 5) -> StartupBench:
    """Medians of `runs` alternating starts of a bare window and of the application over `db`, after one
    warm-up of each (the files in the page cache, the bytecode compiled, as on a counter PC every morning)."""
    run_child("bare")
    run_child("app", str(db))
    bare: list[float] = []
    app: list[float] = []
    queue: list[float] = []
    for _ in range(runs):
        bare.append(run_child("bare")["shown"])
        outcome = run_child("app", str(db))
        app.append(outcome["shown"])
        queue.append(outcome["queue"])
    return StartupBench(statistics.median(bare), statistics.median(app), statistics.median(queue), runs)


# -- event-loop stalls ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _print_queue() -> Iterator[tuple[str, dict[str, str]]]:
    """A throwaway CUPS-PDF queue (tests/support/cups.py) when this machine can run one, else no printer: the
    child then prints to a PDF file through the same QPrinter path."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from support.cups import running_cups_queue

        queue_context = running_cups_queue()
        queue = queue_context.__enter__()
    except Exception as exc:  # no root, no cupsd, no cups-pdf: a file is the next best printer
        print(f"(no CUPS-PDF queue: {exc}; printing to a PDF file)", file=sys.stderr)
        yield "", {}
        return
    try:
        yield queue.name, queue.env
    finally:
        queue_context.__exit__(None, None, None)


def bench_stall(sync_dossiers: int = 10_000, pages: int = 100) -> StallBench:
    """The window open over a counter of `sync_dossiers` demo dossiers, never synced; its first sync through the
    city's sync service (one copy over TLS, before a throwaway PostgreSQL central) and the render and print of a
    tracking book of about `pages` pages run at once on the window's worker pool, while a 5 ms timer on the UI
    thread records the gaps between its ticks."""
    sys.path.insert(0, str(ROOT / "tests"))
    sys.path.insert(0, str(ROOT))
    from support.pg_cluster import running_pg_cluster

    from counter_app.central.credentials import issue_credential
    from counter_app.sync.central_admin import add_agency, add_counter, init_central
    from counter_app.sync.central_url import parse_central_url
    from scripts.bench_service import running_service

    with tempfile.TemporaryDirectory(prefix="bench-ui-stall-") as folder, running_pg_cluster() as cluster:
        admin = parse_central_url(cluster.create_database("bench_ui"))
        init_central(admin, None)
        add_agency(admin, None, code=AGENCY, name="UBND phường Bến Thành (đo hiệu năng)")
        add_counter(admin, None, agency_code=AGENCY, counter=1)
        credential = issue_credential(admin, None, agency_code=AGENCY, counter=1)
        db = Path(folder) / "counter.db"
        cli(db, "init", "--agency-code", AGENCY, "--agency-name", "UBND phường Bến Thành", "--counter", "1")
        cli(db, "demo", "--dossiers", str(sync_dossiers))
        with running_service(cluster, "bench_ui", Path(folder), copies=1) as urls, _print_queue() as (printer, env):
            # the credential goes by the environment, never on a command line
            extra = {**env, "BENCH_CREDENTIAL": credential, "BENCH_CA_FILE": str(cluster.ca_file)}
            data = run_child("stall", str(db), urls[0], printer, str(pages), extra_env=extra)
    return StallBench(**data)


# -- memory -----------------------------------------------------------------------------------------------------


def bench_memory(db: Path) -> MemoryBench:
    """Peak resident memory of the application over `db` after a clerk's browsing: each queue tab scrolled
    through BROWSE_ROWS rows, OPENED_DOSSIERS dossiers opened, a name searched."""
    return MemoryBench(**run_child("memory", str(db)))


# -- children: each runs in its own process ---------------------------------------------------------------------


def _since_start() -> float:
    return time.time() - float(os.environ.get("BENCH_T0", time.time()))


def _report(data: dict[str, Any]) -> None:
    print(json.dumps(data), flush=True)


def _first_paint_watcher(widget: Any, on_painted: Callable[[], None]) -> Any:
    """An event filter calling `on_painted` once, at the first paint event of `widget`."""
    from PySide6.QtCore import QEvent, QObject

    class Watcher(QObject):
        def __init__(self) -> None:
            super().__init__(widget)
            self.done = False

        def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt override
            if not self.done and watched is widget and event.type() == QEvent.Type.Paint:
                self.done = True
                on_painted()
            return False

    watcher = Watcher()
    widget.installEventFilter(watcher)
    return watcher


def _child_bare() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1366, 768)
    figures: dict[str, Any] = {}

    def painted() -> None:
        figures["shown"] = _since_start()
        figures["shown_cpu"] = time.process_time()
        QTimer.singleShot(0, app.quit)

    watcher = _first_paint_watcher(window, painted)
    window.show()
    app.exec()
    del watcher
    _report(figures)


def _child_app(db: str) -> None:
    """The real entry point with `--db DB`; the window's first paint and the queue's first page are recorded."""
    import counter_app.app as app_module

    figures: dict[str, Any] = {}
    start_app = app_module.start_app

    def start_and_watch(args: Any) -> Any:
        from PySide6.QtCore import QTimer

        running = start_app(args)
        window = running.window

        def painted() -> None:
            figures["shown"] = _since_start()
            figures["shown_cpu"] = time.process_time()

        def page_loaded(_added: int) -> None:
            if "queue" not in figures:
                figures["queue"] = _since_start()
                figures["queue_cpu"] = time.process_time()
                figures["rows"] = window.model.rowCount()
                QTimer.singleShot(0, running.app.quit)

        figures["_watcher"] = _first_paint_watcher(window, painted)
        window.model.sig_page_loaded.connect(page_loaded)
        QTimer.singleShot(int(CHILD_TIMEOUT_S * 1000), running.app.quit)
        return running

    app_module.start_app = start_and_watch
    from counter_app.__main__ import main

    main(["--db", db])
    figures.pop("_watcher", None)
    _report(figures)


def _wait(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Run the event loop until `condition()` holds. A local QEventLoop, not processEvents: PySide6 6.12.0's
    processEvents loses a reference to None per call, and the interpreter aborts after a few thousand."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(10)

    def check() -> None:
        if condition() or time.monotonic() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if not condition():
        raise TimeoutError(f"{what}: not done after {timeout_s:.0f} s")


def _open_window(db: str) -> Any:
    """The application as `counter-app --db DB` starts it, once its window has the services and the delayed
    maintenance (quick check, daily backup) has run and the worker pool is idle."""
    from argparse import Namespace

    import counter_app.app as app_module

    args = Namespace(db=db, now=None, demo=False, json=False, user=None, password_stdin=False, command=None)
    running = app_module.start_app(args)
    ready: list[bool] = []
    running.window.sig_services_ready.connect(lambda: ready.append(True))
    _wait(lambda: bool(ready), 120, "services")
    settle = time.monotonic() + app_module.MAINTENANCE_DELAY_MS / 1000 + 0.5
    _wait(lambda: time.monotonic() > settle and running.runner.pending == 0, 300, "maintenance")
    return running


class _GapMeter:
    """A TICK_MS timer on the UI thread; the gaps between its ticks are how long the event loop was busy."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps: list[float] = []
        self.moments: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps = []
        self.moments = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> list[float]:
        self._timer.stop()
        return [g * 1000 for g in self.gaps]

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self.moments.append(now)
        self._last = now


def _book_period(db: str, rows: int) -> tuple[Any, Any]:
    """The most recent days whose dossiers number at least `rows` (read-only, plain SQL on the file)."""
    import sqlite3
    from datetime import datetime

    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        last, first = connection.execute(
            "SELECT (SELECT max(received_at) FROM dossier), "
            "(SELECT received_at FROM dossier ORDER BY received_at DESC LIMIT 1 OFFSET ?)",
            (rows,),
        ).fetchone()
    end = datetime.fromisoformat(last).date()
    start = datetime.fromisoformat(first).date() if first else None
    return start or end, end


def _render_and_print(services: Any, db: str, printer_name: str, pages: int, folder: str) -> dict[str, Any]:
    """Runs in a pool worker, as the window's printing does: the tracking book rendered to PDF (reportlab), then
    every page printed through `send_to_printer` (its child process renders each page for QPrinter), or, with
    no printer, by a child process of the same kind printing to a PDF file."""
    from counter_app.ui.documents.document_printing import send_to_printer

    start, end = _book_period(db, pages * ROWS_PER_BOOK_PAGE)
    began = time.perf_counter()
    result = services.reports.export_book(start, end, "pdf", Path(folder) / "book.pdf")
    rendered = time.perf_counter()
    if printer_name:
        printed_pages = send_to_printer(result.path, printer_name, "bench book")
    else:
        printed_pages = run_child("print-file", str(result.path), str(Path(folder) / "printed.pdf"))["pages"]
    if os.environ.get("BENCH_DEBUG"):
        print(f"render {began:.3f}-{rendered:.3f} print -{time.perf_counter():.3f}", file=sys.stderr)
    return {"pages": printed_pages, "render_s": rendered - began, "print_s": time.perf_counter() - rendered}


def _child_print_file(pdf: str, out: str) -> None:
    """What `counter-app --print-job` does, with a PDF file for the printer."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter

    from counter_app.ui.documents.document_printing import print_pdf

    app = QGuiApplication(sys.argv[:1])
    document = QPdfDocument()
    document.load(pdf)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(out)
    pages = print_pdf(document, printer)
    document.close()
    app.quit()
    _report({"pages": pages})


def _child_stall(db: str, central_url: str, printer_name: str, pages: str) -> None:
    import threading

    running = _open_window(db)
    window, runner = running.window, running.runner
    services = window.services
    events = services.sync.pending_count()
    if os.environ.get("BENCH_DEBUG"):
        _log_gc_pauses()
    meter = _GapMeter()
    meter.start()
    idle_until = time.monotonic() + 1.0
    _wait(lambda: time.monotonic() > idle_until, 5, "idle")
    idle = meter.stop()
    outcome: dict[str, Any] = {}
    errors: list[object] = []
    with tempfile.TemporaryDirectory(prefix="bench-ui-print-") as folder:
        meter.start()
        started = time.perf_counter()
        if not central_url:  # only the print job (to look at it alone)
            outcome.update(sync_s=0.0, report=None)
        else:
            runner.run_pooled(
                services.sync.sync_now,
                window.sync_panel._report_progress,  # the sync panel's own progress bar follows the sync
                threading.Event(),
                central_url=central_url,
                credential=os.environ.get("BENCH_CREDENTIAL"),
                ca_file=os.environ.get("BENCH_CA_FILE"),
                on_done=lambda report: outcome.update(sync_s=time.perf_counter() - started, report=report),
                on_error=errors.append,
            )
        runner.run_pooled(
            _render_and_print,
            services,
            db,
            printer_name,
            int(pages),
            folder,
            on_done=lambda printed: outcome.update(printed=printed),
            on_error=errors.append,
        )
        _wait(lambda: bool(errors) or ("sync_s" in outcome and "printed" in outcome), CHILD_TIMEOUT_S, "jobs")
        gaps = meter.stop()
    if os.environ.get("BENCH_DEBUG"):
        print(f"jobs from {started:.3f}, sync until {started + outcome.get('sync_s', 0):.3f}", file=sys.stderr)
        for moment, gap in zip(meter.moments, gaps, strict=True):
            if gap > 30:
                print(f"gap {gap:7.1f} ms ending {moment:.3f}", file=sys.stderr)
    if errors:
        raise RuntimeError(f"a job failed: {errors[0]!r}")
    report = outcome["report"]
    assert report is None or report.failed == 0, report
    ordered = sorted(gaps)
    _report(
        {
            "max_gap_ms": ordered[-1],
            "p99_gap_ms": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
            "idle_max_gap_ms": max(idle),
            "gaps_over_target": sum(1 for g in gaps if g >= STALL_TARGET_MS),
            "sync_dossiers": _dossier_count(db),
            "sync_events": events,
            "sync_s": outcome["sync_s"],
            "printer": "CUPS-PDF queue" if printer_name else "PDF file",
            **outcome["printed"],
        }
    )
    running.app.quit()


def _log_gc_pauses() -> None:
    import gc
    import threading

    started: dict[int, float] = {}

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[info["generation"]] = time.perf_counter()
        elif info["generation"] in started:
            pause = (time.perf_counter() - started.pop(info["generation"])) * 1000
            if pause > 5:
                thread = threading.current_thread().name
                print(
                    f"gc gen{info['generation']} {pause:.1f} ms in {thread} at {time.perf_counter():.3f}",
                    file=sys.stderr,
                )

    gc.callbacks.append(callback)


def _dossier_count(db: str) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        return int(connection.execute("SELECT count(*) FROM dossier").fetchone()[0])


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _child_memory(db: str) -> None:
    running = _open_window(db)
    window = running.window
    idle_mb = _peak_rss_mb()
    model, table = window.model, window.table

    def scroll_through() -> int:
        _wait(lambda: not model.loading, 60, "queue page")
        while model.rowCount() < BROWSE_ROWS and model.canFetchMore():
            bar = table.verticalScrollBar()
            bar.setValue(bar.maximum())  # at the bottom the view asks the model for more
            _wait(lambda: not model.loading, 60, "queue page")
            if model.canFetchMore():
                model.fetchMore()  # a view without a screen may not have asked
                _wait(lambda: not model.loading, 60, "queue page")
        return int(model.rowCount())

    browsed = 0
    seen: list[str] = []
    for queue in ("today", "due_soon", "overdue", "waiting"):  # the queues of the rail
        window.show_queue(queue)
        browsed += scroll_through()
        seen += [view.uuid for view in model.rows()[:OPENED_DOSSIERS]]
    for text in ("nguyen van", "tran thi", "le"):  # searches as typed at the counter, without diacritics
        window.search_edit.setText(text)
        window.run_search()
        browsed += scroll_through()
        seen += [view.uuid for view in model.rows()[:OPENED_DOSSIERS]]
    search_rows = model.rowCount()
    opened: list[object] = []
    window.sig_dossier_opened.connect(opened.append)
    for uuid in list(dict.fromkeys(seen))[:OPENED_DOSSIERS]:
        window.open_dossier(uuid)
        _wait(partial(_more_than, opened, len(opened)), 60, "dossier")
    _report(
        {
            "peak_mb": _peak_rss_mb(),
            "idle_mb": idle_mb,
            "rows_browsed": browsed,
            "dossiers_opened": len(opened),
            "search_rows": search_rows,
        }
    )
    running.app.quit()


def _more_than(items: list[object], count: int) -> bool:
    return len(items) > count


def _child(mode: str, args: list[str]) -> int:
    if mode == "child-bare":
        _child_bare()
    elif mode == "child-app":
        _child_app(args[0])
    elif mode == "child-print-file":
        _child_print_file(*args)
    elif mode == "child-stall":
        _child_stall(*args)
    elif mode == "child-memory":
        _child_memory(args[0])
    else:
        print(f"unknown mode {mode}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    if argv[0].startswith("child-"):
        return _child(argv[0], argv[1:])
    if argv[0] == "startup":
        result = bench_startup(Path(argv[1]).resolve())
        print(
            f"bare window {result.bare_s * 1000:.0f} ms, application {result.app_s * 1000:.0f} ms "
            f"({result.ratio:.2f}x, target <= {STARTUP_RATIO_TARGET}x), "
            f"queue filled {result.queue_s * 1000:.0f} ms (target < {QUEUE_TARGET_S * 1000:.0f} ms)"
        )
        return 0
    if argv[0] == "stall":
        stall = bench_stall(*(int(a) for a in argv[1:3]))
        print(stall)
        return 0
    if argv[0] == "memory":
        print(bench_memory(Path(argv[1]).resolve()))
        return 0
    print(f"unknown command {argv[0]}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
