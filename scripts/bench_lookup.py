"""Look-up timings over an existing database: a scanned code (`get_dossier`) and a name fragment (`find`).

`bench_lookup(services)` returns (figure, milliseconds at the 95th percentile, target) triples; scripts/bench.py
calls it with the services it opened on its demo database. Run alone: `python -m scripts.bench_lookup DB`.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from counter_app.bootstrap import Services, build_services
from counter_app.services.common.clock import SystemClock

CODE_TARGET_MS = 5.0
NAME_TARGET_MS = 50.0
# Diacritic-free fragments as a clerk types them: common ("tran thi": thousands of dossiers at 1,000,000),
# rarer ("dang van vinh"), across words, and one absent from the demo names (the whole index is walked).
NAME_FRAGMENTS = (
    "nguyen van h",
    "tran thi",
    "le minh",
    "pham thanh",
    "vo ngoc",
    "dang van vinh",
    "hoang thi mai",
    "thi bich",
)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _timed_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def bench_lookup(services: Services, *, codes: int = 200, searches: int = 80) -> list[tuple[str, float, str]]:
    """p95 of `get_dossier` over `codes` random dossier codes and of `find(fragment, limit=50)` over `searches`
    random fragments of NAME_FRAGMENTS; each in ms with its target. Empty when the database has no dossier."""
    with services.context.uow() as uow:
        sample = [
            str(row[0])
            for row in uow.session.execute(
                text("SELECT code FROM dossier WHERE code IS NOT NULL ORDER BY random() LIMIT :n"), {"n": codes}
            )
        ]
    if not sample:
        return []
    rng = random.Random(1)
    services.dossiers.get_dossier(sample[0])  # warm-up: imports, statement caches
    services.dossiers.find(NAME_FRAGMENTS[0], limit=50)
    code_ms = _timed_ms(lambda: services.dossiers.get_dossier(rng.choice(sample)), len(sample))
    name_ms = _timed_ms(lambda: services.dossiers.find(rng.choice(NAME_FRAGMENTS), limit=50), searches)
    return [
        ("look up a scanned code, p95", percentile(code_ms, 95), f"< {CODE_TARGET_MS:.0f} ms"),
        ("search by diacritic-free name fragment, p95", percentile(name_ms, 95), f"< {NAME_TARGET_MS:.0f} ms"),
    ]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m scripts.bench_lookup DB")
        sys.exit(2)
    opened = build_services(Path(sys.argv[1]).resolve(), SystemClock())
    try:
        for name, ms, target in bench_lookup(opened):
            print(f"{name:<48} {ms:8.2f} ms  (target {target})")
    finally:
        opened.close()
    sys.exit(0)
