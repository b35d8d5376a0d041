"""The database's counting agrees with domain.md §5 at the edges: the minute of the appointment, and the second
supplement request that makes a dossier late.

DEMO.XNHN takes 3 working days: received Mon 01/06/2026, its appointment is Thu 04/06/2026 17:00.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from reports.report_support import accept, configured_services, vn

JUNE = (date(2026, 6, 1), date(2026, 6, 30))


def test_result_times_around_the_appointment(tmp_path: Path) -> None:
    services, clock = configured_services(tmp_path, "2026-06-01 08:00")
    try:
        d = services.dossiers
        codes = [accept(services, clock, "A", "DEMO.XNHN", f"2026-06-01 08:0{i}") for i in range(5)]
        clock.set("2026-06-01 09:00")
        for code in codes:
            d.transfer(code)
        # the fifth is asked for a supplement twice: it counts as late whatever its dates
        for moment, action in (("10:00", "ask"), ("11:00", "get"), ("14:00", "ask"), ("15:00", "get")):
            clock.set(f"2026-06-01 {moment}")
            if action == "ask":
                d.request_supplement(codes[4], "Thiếu giấy tờ")
            else:
                d.receive_supplement(codes[4])
        ready = (
            vn("2026-06-04 17:00") + timedelta(seconds=40),  # on time: the appointment is given to the minute
            vn("2026-06-04 17:01"),  # late
            vn("2026-06-04 08:00"),  # on time: the due day itself
            vn("2026-06-03 16:59"),  # early: a day before the due day
            vn("2026-06-02 10:00"),  # late: second supplement request
        )
        for code, moment in zip(codes, ready, strict=True):
            clock.moment = moment
            d.result_ready(code)
        clock.set("2026-07-01 08:00")
        month = services.reports.get_stats(*JUNE)
        # a long period finds the second supplement request by one scan instead of look-ups
        year = services.reports.get_stats(date(2026, 1, 1), date(2026, 12, 31))
    finally:
        services.close()
    assert (month.resolved_early, month.resolved_on_time, month.resolved_late) == (1, 2, 2)
    assert (year.resolved_early, year.resolved_on_time, year.resolved_late) == (1, 2, 2)


def test_an_open_dossier_is_overdue_from_the_minute_after_its_appointment(tmp_path: Path) -> None:
    services, clock = configured_services(tmp_path, "2026-06-01 08:00")
    try:
        accept(services, clock, "A", "DEMO.XNHN", "2026-06-01 09:00")
        counts = []
        for moment in (vn("2026-06-04 17:00") + timedelta(seconds=40), vn("2026-06-04 17:01")):
            clock.moment = moment
            stats = services.reports.get_stats(*JUNE)  # the period runs on: counted now
            counts.append((stats.pending, stats.overdue, stats.late_without_apology))
    finally:
        services.close()
    assert counts == [(1, 0, 0), (1, 1, 1)]
