"""The dashboard over the March 2026 database on Fri 10/04/2026 10:00, its figures counted by hand.

Last 45 days (26/02-10/04): 27/02 X; 02/03 A B; 03/03 C D; 04/03 E F; 05/03 G; 09/03 H (V voided); 01/04 Y.
On-time rate: March 4 of 5 (D late); April 0 of 1 (F ready 02/04, due 06/03); February nothing resolved.
Overdue now: G (new date 18/03, apology) and Y (due Mon 06/04 17:00, no apology), both of the UBND; H is paused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtGui import QColor
from reports.report_support import UBND

from counter_app.bootstrap import Services
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.reports.dashboard import BAD, DashboardPanel


def test_dashboard_figures_and_charts(qtbot: Any, services: Services) -> None:
    runner = TaskRunner()
    panel = DashboardPanel(services, runner, days=45)
    qtbot.addWidget(panel)
    panel.resize(1100, 700)
    panel.show()
    try:
        with qtbot.waitSignal(panel.sig_refreshed, timeout=20_000) as blocker:
            panel.refresh()
        view = blocker.args[0]
    finally:
        runner.wait_for_workers()
    counts = {d.day: d.count for d in view.days if d.count}
    assert len(view.days) == 45
    assert view.days[-1].day == date(2026, 4, 10)
    assert counts == {
        date(2026, 2, 27): 1,
        date(2026, 3, 2): 2,
        date(2026, 3, 3): 2,
        date(2026, 3, 4): 2,
        date(2026, 3, 5): 1,
        date(2026, 3, 9): 1,
        date(2026, 4, 1): 1,
    }
    months = {(m.year, m.month): m.rate for m in view.months}
    assert len(months) == 12
    assert months[(2026, 3)] == 0.8
    assert months[(2026, 4)] == 0.0
    assert months[(2026, 2)] is None
    assert [(a.agency, a.overdue, a.without_apology) for a in view.overdue_by_agency] == [(UBND, 2, 1)]
    assert (view.pending, view.overdue, view.received_today) == (3, 2, 0)

    assert panel.overdue.text() == "2"
    assert ("02/03", 2) in panel.daily_chart.days
    assert panel.monthly_chart.months[-2] == ("03/26", 0.8)
    assert panel.agency_chart.agencies == [(UBND, 2, 1)]
    image = panel.agency_chart.grab().toImage()
    red = {
        (x, y)
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
        if QColor(image.pixel(x, y)) == BAD
    }
    assert red, "the part without apology is painted in red"
