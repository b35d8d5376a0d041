"""Statistics of the hand-built March 2026 (see report_support's table): every figure counted by hand.

March 2026, reported on 10/04/2026 (so open dossiers are counted at 24:00 on 31/03):
- received 8 (A B C D E F G H; V was voided, X came in February, Y in April); 7 direct, H online;
- refused 1 (R); supplements 2: the counter slip S and H's request during processing;
- resolved 5: X (result 03/03, due 04/03), A, B early; C on time (16:00 on its due day); D late;
- withdrawn 1 (E); pending 3 (F finished only on 02/04, G, H); overdue 2: F (due 06/03) and G (new date 18/03);
  H waits for a supplement, its clock is paused, so it is not overdue; late without apology 1 (F);
- apologies 1 (G); fees 100.000 (A paid; F's 20.000 was not paid);
- hand-overs 5: ratings 2 (C), 3 (D), 4 (B), 5 (X, A); likes 3 (X, A, B), dislikes 1 (C);
- on-time rate (3 + 1) / (5 resolved + 2 overdue) = 4/7: F and G, open and overdue at 24:00 on 31/03, are late
  already; overdue rate (1 late + 2 overdue) / (5 resolved + 2 overdue) = 3/7;
  dislike rate 1/5; satisfaction 1 − 3/7 − 1/5 = 13/35.
"""

from __future__ import annotations

from datetime import date

import pytest
from reports.report_support import APRIL, BUSINESS, CIVIL, MARCH, POLICE, RESIDENCE, UBND

from counter_app.bootstrap import Services
from counter_app.errors import ValidationError


def test_march_figures(services: Services) -> None:
    stats = services.reports.get_stats(*MARCH)
    assert stats.received == 8
    assert stats.received_by_channel == {1: 7, 2: 1}
    assert stats.refused == 1
    assert (stats.supplement_slips, stats.supplement_requests, stats.supplements) == (1, 1, 2)
    assert (stats.resolved_early, stats.resolved_on_time, stats.resolved_late) == (3, 1, 1)
    assert stats.withdrawn == 1
    assert stats.stopped == 0
    assert stats.pending == 3
    assert stats.overdue == 2
    assert stats.late_without_apology == 1
    assert stats.apologies == 1
    assert stats.fees == 100_000
    assert stats.handed_over == 5
    assert stats.ratings == (0, 1, 1, 1, 2)
    assert (stats.likes, stats.dislikes) == (3, 1)
    assert stats.on_time_rate == pytest.approx(4 / 7)
    assert stats.overdue_rate == pytest.approx(3 / 7)
    assert stats.dislike_rate == pytest.approx(1 / 5)
    assert stats.satisfaction == pytest.approx(13 / 35)


def test_march_breakdowns(services: Services) -> None:
    stats = services.reports.get_stats(*MARCH)
    agencies = {row.name: row for row in stats.by_agency}
    assert set(agencies) == {UBND, POLICE}
    ubnd, police = agencies[UBND], agencies[POLICE]
    # UBND: A B C D E G H received; X A B early, C on time, D late; E withdrawn; G H open, G overdue with apology
    assert (ubnd.received, ubnd.resolved_early, ubnd.resolved_on_time, ubnd.resolved_late) == (7, 3, 1, 1)
    assert (ubnd.withdrawn, ubnd.pending, ubnd.overdue, ubnd.late_without_apology) == (1, 2, 1, 0)
    assert ubnd.fees == 100_000
    assert (police.received, police.pending, police.overdue, police.late_without_apology) == (1, 1, 1, 1)
    assert police.on_time_rate == 0.0  # nothing resolved, but F is overdue: late already
    fields = {row.name: row for row in stats.by_field}
    assert set(fields) == {CIVIL, BUSINESS, RESIDENCE}
    # Hộ tịch: B C D E G H received; X B early, C on time, D late; G overdue: 3 in time of 5
    assert (fields[CIVIL].received, fields[CIVIL].resolved, fields[CIVIL].on_time_rate) == (6, 4, 0.6)
    assert (fields[BUSINESS].received, fields[BUSINESS].resolved_early) == (1, 1)
    procedures = {row.key: row for row in stats.by_procedure}
    xnhn = procedures["DEMO.XNHN"]  # B C D E H received; X B early, C on time, D late; E withdrawn; H open
    assert (xnhn.received, xnhn.resolved_early, xnhn.resolved_on_time, xnhn.resolved_late) == (5, 2, 1, 1)
    assert (xnhn.withdrawn, xnhn.pending, xnhn.overdue) == (1, 1, 0)
    assert procedures["DEMO.KH"].overdue == 1
    assert procedures["TEST.CA"].name == "Xác nhận thông tin cư trú (thử nghiệm)"


def test_a_period_still_running_counts_open_dossiers_now(services: Services) -> None:
    """April, asked on 10/04 10:00: Y (due Mon 06/04 17:00) and G are overdue now; F resolved late on 02/04."""
    stats = services.reports.get_stats(*APRIL)
    assert stats.period.as_of == services.context.clock.now()
    assert stats.received == 1
    assert (stats.resolved_early, stats.resolved_on_time, stats.resolved_late) == (0, 0, 1)
    assert (stats.pending, stats.overdue, stats.late_without_apology) == (3, 2, 1)
    assert stats.apologies == 0
    assert stats.on_time_rate == 0.0
    assert stats.satisfaction == 0.0  # every dossier whose lateness is known is late


def test_open_dossiers_are_counted_as_they_stood_at_the_end_of_a_past_period(services: Services) -> None:
    """Rebuilt from the events, not from today's state.

    Up to 10/03 (counted at 24:00): F (due 06/03) overdue; G due 12/03 not yet; H paused since 10/03 10:00.
    Up to 15/03: F overdue; G was re-appointed on 11/03 to 18/03, so not overdue although its first due passed.
    Up to 05/03 (counted at 24:00): received A B C D E F G; A, B and X have their results, E was withdrawn at
    10:00 on 05/03; C, D, F, G are open and none is due before Fri 06/03 17:00.
    """
    to_10 = services.reports.get_stats(date(2026, 3, 1), date(2026, 3, 10))
    assert (to_10.pending, to_10.overdue, to_10.late_without_apology) == (3, 1, 1)
    to_15 = services.reports.get_stats(date(2026, 3, 1), date(2026, 3, 15))
    assert (to_15.pending, to_15.overdue, to_15.late_without_apology) == (3, 1, 1)
    assert to_15.apologies == 1
    to_05 = services.reports.get_stats(date(2026, 3, 1), date(2026, 3, 5))
    assert to_05.received == 7
    assert (to_05.pending, to_05.overdue, to_05.withdrawn) == (4, 0, 1)


def test_a_period_ending_before_it_starts_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError) as caught:
        services.reports.get_stats(date(2026, 3, 31), date(2026, 3, 1))
    assert caught.value.field == "to"
    assert "trước ngày đầu kỳ" in caught.value.message


def test_an_empty_period_has_no_rates(services: Services) -> None:
    """Nothing resolved, nothing overdue, nothing handed over: no rate at all (domain.md §10), never 0% or 100%."""
    stats = services.reports.get_stats(date(2025, 6, 1), date(2025, 6, 30))
    assert (stats.received, stats.resolved, stats.pending, stats.handed_over) == (0, 0, 0, 0)
    assert stats.on_time_rate is None
    assert stats.overdue_rate is None
    assert stats.dislike_rate is None
    assert stats.satisfaction is None
    assert stats.as_dict()["on_time_rate"] is None


def test_a_year_counts_the_same_dossiers(services: Services) -> None:
    """A long period reads the events another way (one scan instead of look-ups): the figures add up alike.

    2026: received X A B C D E F G H Y (V voided); resolved X A B early, C on time, D and F late.
    """
    stats = services.reports.get_stats(date(2026, 1, 1), date(2026, 12, 31))
    assert stats.received == 10
    assert (stats.resolved_early, stats.resolved_on_time, stats.resolved_late) == (3, 1, 2)
    assert (stats.apologies, stats.supplement_requests, stats.handed_over) == (1, 1, 5)
    assert stats.ratings == (0, 1, 1, 1, 2)
