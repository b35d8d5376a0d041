"""Rates of the statistics read back from the files: "—" when there is nothing to divide (domain.md §10), and the
dossiers still open and overdue at the end of the period counted as late.

Figures of report_support's March 2026:
- 01/03–05/03 (counted at 24:00 on 05/03): Cư trú and TEST.CA have F received, nothing resolved, F not yet
  overdue (due Fri 06/03 17:00): no on-time rate; Hộ tịch resolved X and B early: 100%.
- 01/03–10/03 (counted at 24:00 on 10/03): resolved X A B early, C on time, D late; F open and overdue since
  06/03 17:00: on time 4 of 5 resolved + 1 overdue = 66,7% (not 4 of 5 = 80%); Cư trú 0 of 1 = 0%.
- June 2025: nothing at all; every rate is "—".
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from printing.pdf_readback import pdf_text
from reports.report_support import CIVIL, POLICE, RESIDENCE, UBND

from counter_app.bootstrap import Services
from counter_app.services.reports.report_files import ON_TIME_RATE_LABEL

TO_05 = (date(2026, 3, 1), date(2026, 3, 5))
TO_10 = (date(2026, 3, 1), date(2026, 3, 10))
EMPTY = (date(2025, 6, 1), date(2025, 6, 30))
SATISFACTION_LABEL = "Mức độ hài lòng (100% - tỷ lệ quá hạn - tỷ lệ không hài lòng)"
RATE_LABELS = (ON_TIME_RATE_LABEL, "Tỷ lệ hồ sơ quá hạn", "Tỷ lệ không hài lòng", SATISFACTION_LABEL)
RATE_COLUMN = 5  # of the breakdown sheets: name, received, early, on time, late, rate, …


def breakdown(book: Any, sheet: str) -> dict[str, Any]:
    return {row[0].value: row[RATE_COLUMN] for row in book[sheet].iter_rows(min_row=2)}


def summary(book: Any) -> dict[str, Any]:
    return {str(row[0].value).strip(): row[1] for row in book["Tổng hợp"].iter_rows(min_row=2)}


def test_a_group_with_nothing_resolved_shows_a_dash_in_the_pdf(services: Services, out_dir: Path) -> None:
    text = pdf_text(services.reports.export_stats(*TO_05, "pdf", out_dir / "s.pdf").path)
    # received, early, on time, late, on-time rate, withdrawn, pending, overdue
    assert f"{RESIDENCE} 1 0 0 0 — 0 1 0" in text
    assert "(TEST.CA) 1 0 0 0 — 0 1 0" in text
    assert f"{POLICE} 1 0 0 0 — 0 1 0" in text
    assert f"{CIVIL} 5 2 0 0 100,0% 1 3 0" in text


def test_a_group_with_nothing_resolved_shows_a_dash_in_the_xlsx(services: Services, out_dir: Path) -> None:
    path = out_dir / "s.xlsx"
    services.reports.export_stats(*TO_05, "xlsx", path)
    book = load_workbook(path)
    fields = breakdown(book, "Theo lĩnh vực")
    assert fields[RESIDENCE].value == "—"
    assert fields[CIVIL].value == pytest.approx(1.0)
    assert fields[CIVIL].number_format == "0.0%"
    assert breakdown(book, "Theo cơ quan")[POLICE].value == "—"


def test_an_empty_period_shows_every_rate_as_a_dash(services: Services, out_dir: Path) -> None:
    text = pdf_text(services.reports.export_stats(*EMPTY, "pdf", out_dir / "s.pdf").path)
    for label in RATE_LABELS:
        assert f"{label} —" in text
    assert "%" not in text.replace("100% - tỷ lệ", "")  # neither 0% nor 100% anywhere
    path = out_dir / "s.xlsx"
    services.reports.export_stats(*EMPTY, "xlsx", path)
    cells = summary(load_workbook(path))
    assert [cells[label].value for label in RATE_LABELS] == ["—"] * 4


def test_open_overdue_dossiers_count_among_the_late(services: Services, out_dir: Path) -> None:
    stats = services.reports.get_stats(*TO_10)
    assert (stats.resolved_early, stats.resolved_on_time, stats.resolved_late, stats.overdue) == (3, 1, 1, 1)
    assert stats.on_time_rate == pytest.approx(4 / 6)
    assert stats.overdue_rate == pytest.approx(2 / 6)
    agencies = {row.name: row for row in stats.by_agency}
    assert agencies[POLICE].on_time_rate == 0.0  # F: nothing resolved, overdue, so late
    assert agencies[UBND].on_time_rate == pytest.approx(4 / 5)
    text = pdf_text(services.reports.export_stats(*TO_10, "pdf", out_dir / "s.pdf").path)
    assert f"{ON_TIME_RATE_LABEL} 66,7%" in text
    assert f"{RESIDENCE} 1 0 0 0 0,0% 0 1 1" in text
    path = out_dir / "s.xlsx"
    services.reports.export_stats(*TO_10, "xlsx", path)
    book = load_workbook(path)
    assert summary(book)[ON_TIME_RATE_LABEL].value == pytest.approx(4 / 6)
    assert breakdown(book, "Theo lĩnh vực")[RESIDENCE].value == 0.0
