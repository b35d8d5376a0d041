"""Days late counted up to a period that ends on a weekend: the end day counts only if it is a working day.

By hand (report_support's table; March 2026 has no holiday), the report of Sun 01/03 - Sun 08/03 is counted at
24:00 on Sun 08/03:
- D and F were both due Fri 06/03 17:00 and neither had a result by then (D's came Mon 09/03 10:00, F's on
  02/04): both overdue. Days late are the working days after the due day up to the last day of the period,
  (Fri 06/03, Sun 08/03]: Sat 07/03 and Sun 08/03 are not working days, so 0 — not 1, which counting the due
  day itself ([06/03, 08/03)) would give.
- G is due Thu 12/03 and its letter is of 11/03: nothing late in this period. C was ready on its due day.
The same two counted one day later, to Mon 09/03: D resolved late that morning, F overdue, 1 day each.
"""

from __future__ import annotations

from datetime import date

from reports.report_support import Scenario

from counter_app.bootstrap import Services


def test_overdue_at_the_end_of_a_weekend_is_zero_days_late(services: Services, march: Scenario) -> None:
    report = services.reports.get_late_report(date(2026, 3, 1), date(2026, 3, 8))
    cases = {case.code: case for case in report.cases}
    assert set(cases) == {march.codes["D"], march.codes["F"]}
    for label in ("D", "F"):
        case = cases[march.codes[label]]
        assert case.overdue and not case.resolved_late
        assert case.finished_at is None
        assert case.days_late == 0


def test_the_monday_after_counts_one_day(services: Services, march: Scenario) -> None:
    report = services.reports.get_late_report(date(2026, 3, 1), date(2026, 3, 9))
    cases = {case.code: case for case in report.cases}
    d, f = cases[march.codes["D"]], cases[march.codes["F"]]
    assert d.resolved_late and d.days_late == 1
    assert f.overdue and f.days_late == 1
