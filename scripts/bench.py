"""make bench: figures with their targets and a baseline measured in the same run; writes docs/benchmarks.md.

Databases are built with `counter-app demo` (BENCH_DOSSIERS dossiers, default 200,000 to keep the whole run
within 15 minutes on 2 cores; set BENCH_DOSSIERS=1000000 for the issue's full size).
"""

from __future__ import annotations

import io
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENCY = "000.17.22.H56"
# report figures with a target (issue 6): statistics under 2 s; exports under a minute
REPORT_TARGETS: dict[str, tuple[str, Callable[[float], bool]]] = {
    "report stats, whole database": ("< 2 s", lambda s: s < 2),
    "book xlsx, last 31 days": ("< 60 s", lambda s: s < 60),
    "book pdf, last 31 days": ("< 60 s", lambda s: s < 60),
    "stats xlsx, whole database": ("< 60 s", lambda s: s < 60),
}


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str
    met: bool | None
    baseline: str = ""
    ratio: str = ""


def cli(db: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "counter_app", "--db", str(db), *args], check=True, capture_output=True, text=True
    )
    return result.stdout


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def bare_reportlab_page() -> bytes:
    """The baseline: the receipt's text, a Code 128 and a QR on two A4 pages with plain reportlab calls."""
    from reportlab.graphics.barcode import code128, qr
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for copy in ("Liên 1: Lưu", "Liên 2: Giao người nộp"):
        y = 800
        for line in [copy, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", *[f"Dòng nội dung {i}" for i in range(30)]]:
            c.drawString(60, y, line)
            y -= 20
        code128.Code128("000.17.22.H56-260302-1001", barHeight=30).drawOn(c, 300, 700)
        widget = qr.QrCodeWidget("000.17.22.H56-260302-1001")
        drawing = Drawing(80, 80)
        drawing.add(widget)
        drawing.drawOn(c, 480, 700)
        c.showPage()
    c.save()
    return buf.getvalue()


def main() -> int:
    n = int(os.environ.get("BENCH_DOSSIERS", "200000"))
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        cli(db, "init", "--agency-code", AGENCY, "--agency-name", "UBND phường Minh Họa", "--counter", "1")
        start = time.perf_counter()
        cli(db, "demo", "--dossiers", str(n))
        build = time.perf_counter() - start
        figures.append(
            Figure(f"build demo database ({n:,} dossiers)", build, "s", "—", None, ratio=f"{n / build:,.0f} dossiers/s")
        )
        sys.path.insert(0, str(ROOT))
        from counter_app.bootstrap import build_services
        from counter_app.domain.intake import IntakeForm
        from counter_app.services.clock import SystemClock

        services = build_services(db, SystemClock())
        # accept + render Mẫu 01 (both copies, barcode, QR), commit included
        services.documents.render  # noqa: B018 - the attribute exists before timing
        forms = [
            IntakeForm(procedure_code="DEMO.XNHN", name="Nguyễn Thị Bích", identifier=f"0791850{i:05d}")
            for i in range(40)
        ]
        it = iter(forms)

        def accept_and_print() -> None:
            result = services.intake.accept(next(it))
            assert result.code
            services.documents.render(result.code, "receipt")

        accept_and_print()  # warm-up: fonts, imports
        intake_ms = timed(accept_and_print, 30)
        bare_reportlab_page()
        bare_ms = timed(bare_reportlab_page, 30)
        med, bare = statistics.median(intake_ms), statistics.median(bare_ms)
        figures.append(
            Figure(
                "accept + render Mẫu 01 (2 copies, barcode, QR), median",
                med,
                "ms",
                "< 60 ms",
                med < 60,
                f"bare reportlab {bare:.1f} ms",
                f"{med / bare:.2f}×",
            )
        )
        # lookups
        with services.context.uow() as uow:
            from sqlalchemy import text

            codes = [r[0] for r in uow.session.execute(text("SELECT code FROM dossier ORDER BY random() LIMIT 200"))]
        rng = random.Random(1)
        code_ms = timed(lambda: services.dossiers.get_dossier(rng.choice(codes)), 200)
        p95 = percentile(code_ms, 95)
        figures.append(Figure("look up a scanned code, p95", p95, "ms", "< 5 ms", p95 < 5))
        names = ["nguyen van h", "tran thi", "le minh", "pham thanh", "vo ngoc", "dang van vinh"]
        name_ms = timed(lambda: services.dossiers.find(rng.choice(names), limit=50), 60)
        p95n = percentile(name_ms, 95)
        figures.append(Figure("search by diacritic-free name fragment, p95", p95n, "ms", "< 50 ms", p95n < 50))
        late_ms = timed(services.late.list_late, 5)
        figures.append(Figure("late-case list (due soon + overdue)", statistics.median(late_ms), "ms", "—", None))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        figures.append(
            Figure("peak memory of this process (services open, lookups done)", rss, "MB", "< 300 MB", rss < 300)
        )
        services.close()
        from scripts.bench_reports import bench_reports

        for name, seconds in bench_reports(db):
            target, met = REPORT_TARGETS.get(name, ("—", None))
            figures.append(Figure(f"report: {name}", seconds, "s", target, None if met is None else met(seconds)))
    from scripts.bench_sync import bench_sync

    sync_n = int(os.environ.get("BENCH_SYNC_DOSSIERS", "10000"))
    result = bench_sync(sync_n)
    rate = result.dossiers / result.sync_seconds
    share = result.copy_seconds / result.sync_seconds
    figures.append(
        Figure(
            f"sync push of {result.dossiers:,} dossiers ({result.events:,} events)",
            rate,
            "/s",
            ">= 5000/s, >= 30% of COPY",
            rate >= 5000 and share >= 0.3,
            f"bare COPY {result.copy_seconds:.2f} s",
            f"{share:.0%} of COPY speed",
        )
    )
    figures.append(Figure("second counter pulls them all", result.pull_seconds, "s", "—", None))
    print_table(figures, n)
    write_markdown(figures, n)
    return 0


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"
    )


def print_table(figures: list[Figure], n: int) -> None:
    print(f"\ncounter_app benchmarks — {machine()}, {n:,} dossiers")
    print(f"{'figure':<62} {'value':>12} {'target':>10} {'met':>4}  baseline / ratio")
    for f in figures:
        met = "—" if f.met is None else ("yes" if f.met else "NO")
        print(f"{f.name:<62} {f.value:>9.1f} {f.unit:<2} {f.target:>10} {met:>4}  {f.baseline} {f.ratio}")


def write_markdown(figures: list[Figure], n: int) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now().astimezone():%d/%m/%Y %H:%M} by `make bench` on {machine()}, with a database of "
        f"{n:,} demo dossiers built by `counter-app demo`.",
        "",
        "| figure | value | target | met | baseline / ratio |",
        "|---|---|---|---|---|",
    ]
    for f in figures:
        met = "—" if f.met is None else ("yes" if f.met else "**no**")
        lines.append(f"| {f.name} | {f.value:.1f} {f.unit} | {f.target} | {met} | {f.baseline} {f.ratio} |")
    lines += ["", (ROOT / "docs" / "benchmark-targets.md").read_text(encoding="utf-8")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
