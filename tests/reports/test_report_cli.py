"""`counter-app report …` as a separate process: the JSON contract, the files, the exit codes of bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from reports.report_support import NOW, Scenario

ROOT = Path(__file__).resolve().parents[2]
INT_KEYS = (
    "received",
    "refused",
    "supplements",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending",
    "overdue",
    "apologies",
    "late_without_apology",
    "withdrawn",
)
MARCH = ("--from", "2026-03-01", "--to", "2026-03-31")


@pytest.fixture(scope="module")
def db(march: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return march.copy_to(tmp_path_factory.mktemp("cli")).db


def run(db: Path, *argv: str, options_first: bool = False) -> subprocess.CompletedProcess[str]:
    options = ["--db", str(db), "--now", NOW]
    args = [*options, *argv] if options_first else [*argv, *options]
    home = db.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_APP_")}
    env.update(
        XDG_DATA_HOME=str(home / "xdg-data"),
        XDG_STATE_HOME=str(home / "xdg-state"),
        XDG_CONFIG_HOME=str(home / "xdg-config"),
        PYTHONPATH=str(ROOT),
    )
    return subprocess.run(
        [sys.executable, "-m", "counter_app", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=home,
        env=env,
        timeout=120,
        check=False,
    )


def as_json(proc: subprocess.CompletedProcess[str]) -> Any:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def refused(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("Lỗi") or "\nLỗi" in proc.stderr
    return proc.stderr


def test_stats_json_keys_types_and_figures(db: Path) -> None:
    data = as_json(run(db, "report", "stats", *MARCH, "--json"))
    for key in INT_KEYS:
        assert type(data[key]) is int, key
    assert isinstance(data["fees"], int | float)
    for key in ("on_time_rate", "satisfaction"):  # None (JSON null) only when there is nothing to divide
        assert isinstance(data[key], float)
        assert 0.0 <= data[key] <= 1.0
    figures = {key: data[key] for key in INT_KEYS}
    assert figures == {
        "received": 8,
        "refused": 1,
        "supplements": 2,
        "resolved_early": 3,
        "resolved_on_time": 1,
        "resolved_late": 1,
        "pending": 3,
        "overdue": 2,
        "apologies": 1,
        "late_without_apology": 1,
        "withdrawn": 1,
    }
    assert data["fees"] == 100_000
    assert data["on_time_rate"] == pytest.approx(4 / 7)  # 3 early + 1 on time of 5 resolved + 2 overdue
    assert data["satisfaction"] == pytest.approx(13 / 35)
    assert data["ratings"] == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 2}
    assert (data["likes"], data["dislikes"]) == (3, 1)


def test_rates_with_nothing_to_divide_are_a_dash_not_a_percentage(db: Path) -> None:
    """June 2025 has no dossier: the text says "—" (domain.md §10) and the JSON null, never 0% or 100%."""
    june = ("--from", "2025-06-01", "--to", "2025-06-30")
    proc = run(db, "report", "stats", *june)
    assert proc.returncode == 0, proc.stderr
    assert "tỷ lệ đúng hạn —" in proc.stdout
    assert "mức độ hài lòng: —" in proc.stdout
    assert "%" not in proc.stdout
    data = as_json(run(db, "report", "stats", *june, "--json"))
    assert [data[key] for key in ("on_time_rate", "overdue_rate", "dislike_rate", "satisfaction")] == [None] * 4


def test_global_options_before_the_subcommand(db: Path) -> None:
    data = as_json(run(db, "--json", "report", "stats", *MARCH, options_first=True))
    assert (data["received"], data["overdue"]) == (8, 2)


def test_every_report_in_both_formats(db: Path) -> None:
    out = db.parent / "files"
    targets = [out / f"{kind}.{fmt}" for kind in ("book", "stats", "late") for fmt in ("pdf", "xlsx")]

    def export(target: Path) -> Any:
        kind, fmt = target.stem, target.suffix[1:]
        return as_json(run(db, "report", kind, *MARCH, "--format", fmt, "--out", str(target), "--json"))

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(export, targets))
    for target, data in zip(targets, results, strict=True):
        assert Path(data["path"]).resolve() == target.resolve()
        assert target.read_bytes()[:4] == (b"%PDF" if target.suffix == ".pdf" else b"PK\x03\x04")
    assert as_json(run(db, "report", "late", *MARCH, "--out", str(out / "late.xlsx"), "--json"))["rows"] == 3


def test_the_format_follows_the_file_name(db: Path) -> None:
    target = db.parent / "so-theo-doi.xlsx"
    proc = run(db, "report", "book", *MARCH, "--out", str(target))
    assert proc.returncode == 0, proc.stderr
    assert "8 hồ sơ" in proc.stdout
    assert len(load_workbook(target).sheetnames) == 5  # three fields, the day figures and their chart


def test_bad_input_is_refused_in_vietnamese(db: Path) -> None:
    assert "2026-13-01" in refused(run(db, "report", "stats", "--from", "2026-13-01", "--to", "2026-03-31"))
    assert "trước ngày đầu kỳ" in refused(run(db, "report", "stats", "--from", "2026-03-31", "--to", "2026-03-01"))
    assert "--out" in refused(run(db, "report", "book", *MARCH))
    refused(run(db, "report", "stats", *MARCH, "--format", "doc"))
