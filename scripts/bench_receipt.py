"""Accept a dossier and render its Mẫu 01 (both copies, Code 128, QR, commit included) against bare reportlab.

Measures the same thing as `make bench` (scripts/bench.py), on its own, so the receipt path can be tuned
without building every benchmark database:

    .venv/bin/python -m scripts.bench_receipt --dossiers 20000 [--db FILE] [--repeat 30] [--profile OUT.prof]

`--db FILE` reuses (or, when missing, builds) a database; without it a temporary one is built with
`counter-app demo`. Bare reportlab and the application are measured interleaved in the same run, so the ratio
holds even on a machine shared with other work.
"""

from __future__ import annotations

import argparse
import cProfile
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENCY = "000.17.22.H56"


def cli(db: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "counter_app", "--db", str(db), *args], check=True, capture_output=True)


def build(db: Path, dossiers: int) -> float:
    """Initialise the database and fill it with `dossiers` demo dossiers; returns the demo's seconds."""
    cli(db, "init", "--agency-code", AGENCY, "--agency-name", "UBND phường Minh Họa", "--counter", "1")
    start = time.perf_counter()
    if dossiers:
        cli(db, "demo", "--dossiers", str(dossiers))
    return time.perf_counter() - start


def once_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def measure(db: Path, repeat: int, profile: Path | None) -> tuple[list[float], list[float]]:
    sys.path.insert(0, str(ROOT))
    from counter_app.bootstrap import build_services
    from counter_app.domain.intake import IntakeForm
    from counter_app.services.common.clock import SystemClock
    from scripts.bench import bare_reportlab_page

    services = build_services(db, SystemClock())
    forms = iter(
        IntakeForm(procedure_code="DEMO.XNHN", name="Nguyễn Thị Bích", identifier=f"0791850{i:05d}")
        for i in range(2 * repeat + 2)
    )

    def accept_and_print() -> None:
        result = services.intake.accept(next(forms))
        assert result.code
        services.documents.render(result.code, "receipt")

    accept_and_print()  # warm-up: fonts, imports
    bare_reportlab_page()
    app_ms: list[float] = []
    bare_ms: list[float] = []
    for _ in range(repeat):  # interleaved: both see the same load from other processes
        app_ms.append(once_ms(accept_and_print))
        bare_ms.append(once_ms(bare_reportlab_page))
    if profile is not None:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            accept_and_print()
        profiler.disable()
        profiler.dump_stats(str(profile))
    services.close()
    return app_ms, bare_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=20_000, help="demo dossiers in a newly built database")
    parser.add_argument("--db", type=Path, help="database to use (built first when the file does not exist)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", type=Path, help="write a cProfile of `repeat` more accept+render calls here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db: Path = args.db or Path(tmp) / "receipt.db"
        if not db.exists():
            seconds = build(db, args.dossiers)
            print(f"built {args.dossiers:,} demo dossiers in {seconds:.1f} s")
        app_ms, bare_ms = measure(db, args.repeat, args.profile)
    app, bare = statistics.median(app_ms), statistics.median(bare_ms)
    print(f"accept + render Mẫu 01 (2 copies, barcode, QR), median of {args.repeat}: {app:.1f} ms (target < 60 ms)")
    print(f"bare reportlab, same run:                              {bare:.1f} ms  ratio {app / bare:.2f}×")
    print(f"app min/max {min(app_ms):.1f}/{max(app_ms):.1f} ms; bare min/max {min(bare_ms):.1f}/{max(bare_ms):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
