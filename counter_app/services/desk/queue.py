"""The window's work queue: today's intake, due-soon, overdue and waiting-for-supplement dossiers, by pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from counter_app.domain.clock import VN_TZ, to_vn
from counter_app.domain.deadlines import working_day_start
from counter_app.domain.dossier import DossierState
from counter_app.domain.lateness import Lateness, lateness
from counter_app.domain.status import Status
from counter_app.services.catalogue.working_calendar import CalendarService
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.views import DossierView
from counter_app.services.desk.dossiers import dossier_view

OPEN_STATUSES = tuple(int(s) for s in Status if s.is_open)
WAITING_STATUSES = (int(Status.SUPPLEMENT_REQUESTED),)
PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueCounts:
    today: int
    due_soon: int
    overdue: int
    waiting_supplement: int


def _midnight(day_offset: int, moment: datetime) -> datetime:
    return datetime.combine(moment.date() + timedelta(days=day_offset), time(0), tzinfo=VN_TZ)


class QueueService:
    def __init__(self, context: ServiceContext, calendar: CalendarService) -> None:
        self.context = context
        self.calendar = calendar

    def _now(self) -> datetime:
        return to_vn(self.context.clock.now())

    def _views(self, states: Sequence[DossierState]) -> list[DossierView]:
        masked = self.context.masks_lists()  # lists hide identifiers from roles that do not need them
        return [dossier_view(s, masked=masked) for s in states]

    def due_soon_window(self, now: datetime | None = None) -> tuple[datetime, datetime]:
        """[start, end) of the appointments that are due soon at `now` (domain.md §5, domain.lateness).

        A dossier is due soon from the opening of the working day before its due day. The last working day
        already opened is L; a due day d qualifies exactly when no working day lies strictly between L and d,
        that is when d <= next working day after L. So the window ends at midnight after that day.
        """
        moment = to_vn(now or self._now())
        calendar = self.calendar.working_calendar()
        hours = self.context.settings().hours
        today = moment.date()
        if calendar.is_working_day(today) and moment >= working_day_start(today, hours):
            last_opened = today
        else:
            last_opened = calendar.previous_working_day(today)
        limit_day = calendar.next_working_day(last_opened)
        return moment, datetime.combine(limit_day + timedelta(days=1), time(0), tzinfo=VN_TZ)

    def list_today(self, offset: int = 0, limit: int = PAGE_SIZE) -> list[DossierView]:
        """Everything received today (dossiers and slips), newest first."""
        now = self._now()
        with self.context.uow() as uow:
            states = uow.dossiers.received_page(_midnight(0, now), _midnight(1, now), offset=offset, limit=limit)
        return self._views(states)

    def list_open(self, offset: int = 0, limit: int = PAGE_SIZE) -> list[DossierView]:
        """Open dossiers (status 2, 4, 6), the earliest appointment first."""
        with self.context.uow() as uow:
            states = uow.dossiers.open_due_page(
                OPEN_STATUSES, due_from=None, due_before=None, offset=offset, limit=limit
            )
        return self._views(states)

    def list_due_soon(self, offset: int = 0, limit: int = PAGE_SIZE) -> list[DossierView]:
        start, end = self.due_soon_window()
        with self.context.uow() as uow:
            states = uow.dossiers.open_due_page(
                OPEN_STATUSES, due_from=start, due_before=end, offset=offset, limit=limit
            )
        return self._views(states)

    def list_overdue(self, offset: int = 0, limit: int = PAGE_SIZE) -> list[DossierView]:
        now = self._now()
        with self.context.uow() as uow:
            states = uow.dossiers.open_due_page(
                OPEN_STATUSES, due_from=None, due_before=now, offset=offset, limit=limit
            )
        return self._views(states)

    def list_waiting_supplement(self, offset: int = 0, limit: int = PAGE_SIZE) -> list[DossierView]:
        """Dossiers whose clock is paused until the applicant brings the supplement, the longest waiting first."""
        with self.context.uow() as uow:
            states = uow.dossiers.status_page(WAITING_STATUSES, offset=offset, limit=limit)
        return self._views(states)

    def counts(self) -> QueueCounts:
        now = self._now()
        start, end = self.due_soon_window(now)
        with self.context.uow() as uow:
            repo = uow.dossiers
            return QueueCounts(
                today=repo.count_received(_midnight(0, now), _midnight(1, now)),
                due_soon=repo.count_open_due(OPEN_STATUSES, due_from=start, due_before=end),
                overdue=repo.count_open_due(OPEN_STATUSES, due_from=None, due_before=now),
                waiting_supplement=repo.count_status(WAITING_STATUSES),
            )

    def lateness_of(self, views: Sequence[DossierView], now: datetime | None = None) -> dict[str, Lateness]:
        """Each dossier's lateness at `now`, by UUID (computed from the calendar cache, no database query)."""
        moment = to_vn(now or self._now())
        calendar = self.calendar.working_calendar()
        hours = self.context.settings().hours
        return {v.uuid: lateness(v.status, v.due_at, moment, calendar, hours) for v in views}
