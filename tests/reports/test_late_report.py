"""The late-case report of March 2026: who ran late, with which apology letter, and totals per agency.

By hand (report_support's table), counted at 24:00 on 31/03:
- D: result Mon 09/03 10:00, due Fri 06/03 17:00: resolved late by 1 working day (Mon 09/03), no letter;
- F (Công an phường): due Fri 06/03 17:00, still open at the end of March: working days after 06/03 up to
  31/03 are 9-13, 16-20, 23-27, 30-31/03 = 17; no letter;
- G: first due Thu 12/03 17:00, letter 100001/PXL (counter 1, first PXL of 2026) on 11/03 by post, new date
  Wed 18/03 17:00, still open: working days after 18/03 up to 31/03 are 19, 20, 23-27, 30, 31 = 9.
H (paused) is not late; C was ready at 16:00 on its due day (on time).
"""

from __future__ import annotations

from datetime import date

from reports.report_support import APOLOGY_REASON, MARCH, POLICE, UBND, Scenario, vn

from counter_app.bootstrap import Services


def test_march_late_cases(services: Services, march: Scenario) -> None:
    report = services.reports.get_late_report(*MARCH)
    cases = {case.code: case for case in report.cases}
    assert set(cases) == {march.codes["D"], march.codes["F"], march.codes["G"]}

    d = cases[march.codes["D"]]
    assert d.resolved_late and not d.overdue
    assert d.finished_at == vn("2026-03-09 10:00")
    assert d.days_late == 1
    assert not d.apologised

    f = cases[march.codes["F"]]
    assert f.overdue and not f.resolved_late
    assert f.deciding_agency == POLICE
    assert f.finished_at is None  # its result came on 02/04, after the report's moment
    assert f.days_late == 17
    assert "chưa có phiếu xin lỗi" in f.situation

    g = cases[march.codes["G"]]
    assert g.overdue
    assert g.first_due_at == vn("2026-03-12 17:00")
    assert g.new_due_at == vn("2026-03-18 17:00")
    assert g.due_at == vn("2026-03-18 17:00")
    assert (g.letter_number, g.letter_at) == ("100001/PXL", vn("2026-03-11 09:00"))
    assert g.letter_number == march.letter
    assert g.letter_delivery == "Qua dịch vụ bưu chính công ích"
    assert g.reason == APOLOGY_REASON
    assert g.days_late == 9


def test_totals_per_deciding_agency(services: Services) -> None:
    totals = {t.agency: t for t in services.reports.get_late_report(*MARCH).totals}
    assert set(totals) == {UBND, POLICE}
    ubnd, police = totals[UBND], totals[POLICE]
    assert (ubnd.dossiers, ubnd.resolved_late, ubnd.overdue, ubnd.overdue_without_apology, ubnd.apologies) == (
        2,
        1,
        1,
        0,
        1,
    )
    assert (police.dossiers, police.resolved_late, police.overdue, police.overdue_without_apology) == (1, 0, 1, 1)
    assert police.apologies == 0


def test_an_apology_in_the_period_lists_the_dossier_before_it_is_late(services: Services, march: Scenario) -> None:
    """Up to 15/03: D resolved late (09/03), F overdue; G not late yet (its date is 18/03), but its letter is."""
    report = services.reports.get_late_report(date(2026, 3, 1), date(2026, 3, 15))
    cases = {case.code: case for case in report.cases}
    assert set(cases) == {march.codes["D"], march.codes["F"], march.codes["G"]}
    g = cases[march.codes["G"]]
    assert not g.overdue and not g.resolved_late
    assert g.letter_number == "100001/PXL"
    assert g.situation == "Đang giải quyết theo ngày hẹn lại"


def test_a_dossier_resolved_late_after_the_period_is_late_in_that_later_period(services: Services) -> None:
    """F's result came on Thu 02/04 10:00, 19 working days after Fri 06/03 (March 17 + 01/04, 02/04)."""
    report = services.reports.get_late_report(date(2026, 4, 1), date(2026, 4, 30))
    by_code = {case.code: case for case in report.cases}
    late = [case for case in by_code.values() if case.resolved_late]
    assert len(late) == 1
    assert late[0].procedure_code == "TEST.CA"
    assert late[0].days_late == 19
