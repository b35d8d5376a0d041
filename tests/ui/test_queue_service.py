"""services/desk/queue.py (the window's work queue): the due-soon window and lateness, derived from domain.md §5, §7."""

from __future__ import annotations

from datetime import datetime

import pytest
from ui.ui_support import BIRTH_REGISTRATION, MARRIAGE, person_form

from counter_app.bootstrap import Services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.lateness import Lateness


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("now", "window_end"),
    [
        # Monday 09:00: its opening passed, so dossiers due up to Tuesday (the next working day) are due soon
        (vn(2026, 3, 2, 9, 0), vn(2026, 3, 4, 0, 0)),
        # Monday 07:00, before opening: the last opened working day is Friday 27/02, next is Monday itself
        (vn(2026, 3, 2, 7, 0), vn(2026, 3, 3, 0, 0)),
        # Friday 13/02/2026 before Tết (14–22/02 off): dossiers due on Monday 23/02 are due soon already
        (vn(2026, 2, 13, 10, 0), vn(2026, 2, 24, 0, 0)),
        # Saturday 07/03: Friday 06/03 was the last opened day, Monday 09/03 the next
        (vn(2026, 3, 7, 10, 0), vn(2026, 3, 10, 0, 0)),
        # Friday 09/01/2026: the next working day is the swapped working Saturday 10/01
        (vn(2026, 1, 9, 10, 0), vn(2026, 1, 11, 0, 0)),
    ],
)
def test_due_soon_window(services: Services, now: datetime, window_end: datetime) -> None:
    assert services.queue.due_soon_window(now) == (now, window_end)


def test_lateness_of_views(services: Services) -> None:
    today = services.intake.accept(person_form(BIRTH_REGISTRATION))
    later = services.intake.accept(person_form(MARRIAGE))
    views = [services.dossiers.get_dossier(today.uuid), services.dossiers.get_dossier(later.uuid)]
    flags = services.queue.lateness_of(views, vn(2026, 3, 2, 9, 30))
    assert flags == {today.uuid: Lateness.DUE_SOON, later.uuid: Lateness.ON_TRACK}
    flags = services.queue.lateness_of(views, vn(2026, 3, 2, 17, 1))
    assert flags[today.uuid] == Lateness.OVERDUE


def test_counts_and_pages(services: Services) -> None:
    for i in range(3):
        services.intake.accept(person_form(MARRIAGE, phone=f"090312345{i}"))
    counts = services.queue.counts()
    assert (counts.today, counts.due_soon, counts.overdue, counts.waiting_supplement) == (3, 0, 0, 0)
    first = services.queue.list_today(0, 2)
    rest = services.queue.list_today(2, 2)
    assert len(first) == 2 and len(rest) == 1
    assert {v.uuid for v in first}.isdisjoint(v.uuid for v in rest)
    assert len(services.queue.list_open()) == 3
