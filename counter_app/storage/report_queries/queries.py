"""`ReportQueries`: the statistics' counts per period, and the tracking book's and late report's queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime

from sqlalchemy import (
    and_,
    case,
    func,
    not_,
    select,
)
from sqlalchemy.orm import Session

from counter_app.domain.dossier import KIND_DOSSIER
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.status import Stage
from counter_app.storage.models import DossierRow, EventRow
from counter_app.storage.report_queries import late_cases, tracking_book
from counter_app.storage.report_queries.records import (
    AnswerCount,
    BookLine,
    GroupCounts,
    Intake,
    LateLine,
    MonthResolved,
)
from counter_app.storage.report_queries.sql_terms import (
    _DAY,
    _EARLY,
    _LATE,
    _MONTH,
    _ON_TIME,
    ENDED_STAGES,
    _AsOf,
    _count_if,
    _group_columns,
    _key,
    _kind,
    _prefix,
    _resolved_between,
    _short,
    _taken_in,
    _text,
    _timeliness,
    _unindexed,
)


class ReportQueries:
    """Read-only aggregate queries; one instance per session (a read unit of work)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- statistics -------------------------------------------------------------------------------------------

    def intake(self, start: datetime, end: datetime) -> Intake:
        """Dossiers taken in during [start, end) per group and channel, with the fees of those whose fee is paid,
        and the counter slips of the period: one pass over the period's range of ix_dossier_received."""
        voided = DossierRow.stage == Stage.VOIDED.value
        query = (
            select(
                DossierRow.kind,
                voided,
                DossierRow.channel,
                *_group_columns(),
                func.count(),
                func.coalesce(func.sum(case((DossierRow.fee_paid.is_(True), DossierRow.fee), else_=0)), 0),
            )
            .where(DossierRow.received_at >= start, DossierRow.received_at < end)
            .group_by(
                DossierRow.kind,
                voided,
                DossierRow.channel,
                DossierRow.procedure_code,
                DossierRow.field,
                DossierRow.deciding_agency,
            )
        )
        groups: list[GroupCounts] = []
        channels: dict[int, int] = {}
        slips: dict[str, int] = {}
        for kind, is_voided, channel, *key, count, fees in self.session.execute(query):
            if kind != KIND_DOSSIER:
                slips[kind] = slips.get(kind, 0) + int(count)
            elif not is_voided:
                groups.append(GroupCounts(_key(key), received=int(count), fees=int(fees)))
                channels[int(channel)] = channels.get(int(channel), 0) + int(count)
        return Intake(tuple(groups), channels, slips)

    def resolved(self, start: datetime, end: datetime) -> list[GroupCounts]:
        """Dossiers whose result was ready in [start, end), per group and timeliness against the current due."""
        timeliness = _timeliness()
        query = (
            select(*_group_columns(), timeliness, func.count())
            .where(_resolved_between(start, end))
            .group_by(DossierRow.procedure_code, DossierRow.field, DossierRow.deciding_agency, timeliness)
        )
        return [
            GroupCounts(
                _key(r),
                resolved_early=int(r[5]) if r[4] == _EARLY else 0,
                resolved_on_time=int(r[5]) if r[4] == _ON_TIME else 0,
                resolved_late=int(r[5]) if r[4] == _LATE else 0,
            )
            for r in self.session.execute(query)
        ]

    def ended(self, start: datetime, end: datetime) -> list[GroupCounts]:
        """Dossiers withdrawn by the applicant or stopped during [start, end).

        Few dossiers end so: over a long period ix_dossier_stage_due finds them all; over a month the month's
        range of ix_dossier_finished holds fewer rows than all withdrawals of the years.
        """
        stage = _unindexed(DossierRow.stage) if _short(start, end) else DossierRow.stage
        query = (
            select(
                *_group_columns(),
                _count_if(DossierRow.stage == Stage.WITHDRAWN.value),
                _count_if(DossierRow.stage == Stage.STOPPED.value),
            )
            .where(
                DossierRow.kind == KIND_DOSSIER,
                stage.in_(ENDED_STAGES),
                DossierRow.finished_at >= start,
                DossierRow.finished_at < end,
            )
            .group_by(DossierRow.procedure_code, DossierRow.field, DossierRow.deciding_agency)
        )
        return [GroupCounts(_key(r), withdrawn=int(r[4]), stopped=int(r[5])) for r in self.session.execute(query)]

    def open_at(self, moment: datetime) -> list[GroupCounts]:
        """Dossiers open at `moment` (received, not finished), those overdue then, and overdue without apology."""
        as_of = _AsOf(moment)
        query = (
            select(
                *_group_columns(),
                func.count(),
                _count_if(as_of.overdue),
                _count_if(and_(as_of.overdue, not_(as_of.apologised))),
            )
            .where(as_of.pending)
            .group_by(DossierRow.procedure_code, DossierRow.field, DossierRow.deciding_agency)
        )
        return [
            GroupCounts(_key(r), pending=int(r[4]), overdue=int(r[5]), late_without_apology=int(r[6]))
            for r in self.session.execute(query)
        ]

    def events(self, kind: str, start: datetime, end: datetime) -> int:
        """Events of `kind` recorded during [start, end): a range of ix_event_kind_time, read from the index only."""
        query = select(func.count()).where(
            EventRow.kind == _kind(kind), EventRow.occurred_at >= start, EventRow.occurred_at < end
        )
        return int(self.session.scalar(query.select_from(EventRow)) or 0)

    def hand_over_answers(self, start: datetime, end: datetime) -> list[AnswerCount]:
        """Results handed over during [start, end), counted by the applicant's rating and like / dislike."""
        rating = func.json_extract(EventRow.payload, "$.rating")
        like = func.json_extract(EventRow.payload, "$.like")
        query = (
            select(rating, like, func.count())
            .where(
                EventRow.kind == _kind(EventKind.HANDED_OVER), EventRow.occurred_at >= start, EventRow.occurred_at < end
            )
            .group_by(rating, like)
        )
        return [
            AnswerCount(None if r is None else int(r), None if lk is None else bool(lk), int(n))
            for r, lk, n in self.session.execute(query)
        ]

    # --- dashboard ----------------------------------------------------------------------------------------------

    def received_per_day(
        self, start: datetime, end: datetime, *, fields: Sequence[str] | None = None
    ) -> dict[date, int]:
        """Dossiers taken in per Vietnamese day of [start, end), of the fields `fields` when given."""
        day = _prefix(_text(DossierRow.received_at), _DAY)
        query = (
            select(day, func.count())
            .where(_taken_in(), DossierRow.received_at >= start, DossierRow.received_at < end)
            .group_by(day)
        )
        if fields is not None:
            query = query.where(DossierRow.field.in_(fields))
        return {date.fromisoformat(str(d)): int(n) for d, n in self.session.execute(query)}

    def resolved_per_day(
        self, start: datetime, end: datetime, *, fields: Sequence[str] | None = None
    ) -> dict[date, tuple[int, int, int]]:
        """(early, on time, late) per Vietnamese day of the result in [start, end), of `fields` when given."""
        day = _prefix(_text(DossierRow.finished_at), _DAY)
        timeliness = _timeliness()
        query = select(day, timeliness, func.count()).where(_resolved_between(start, end)).group_by(day, timeliness)
        if fields is not None:
            query = query.where(DossierRow.field.in_(fields))
        counts: dict[date, list[int]] = {}
        for d, t, n in self.session.execute(query):
            counts.setdefault(date.fromisoformat(str(d)), [0, 0, 0])[int(t)] += int(n)
        return {d: (e, o, lt) for d, (e, o, lt) in counts.items()}

    def resolved_per_month(self, start: datetime, end: datetime) -> list[MonthResolved]:
        month = _prefix(_text(DossierRow.finished_at), _MONTH)
        timeliness = _timeliness()
        query = (
            select(month, timeliness, func.count())
            .where(_resolved_between(start, end))
            .group_by(month, timeliness)
            .order_by(month)
        )
        counts: dict[str, list[int]] = {}
        for m, t, n in self.session.execute(query):
            counts.setdefault(str(m), [0, 0, 0])[int(t)] += int(n)
        return [MonthResolved(m, e, o, lt) for m, (e, o, lt) in counts.items()]

    def received_span(self) -> tuple[datetime, datetime] | None:
        """The first and last reception of a dossier, or None when there is none."""
        row = self.session.execute(
            select(func.min(DossierRow.received_at), func.max(DossierRow.received_at)).where(_taken_in())
        ).one()
        return None if row[0] is None else (row[0], row[1])

    # --- tracking book ------------------------------------------------------------------------------------------

    def book_fields(self, start: datetime, end: datetime) -> list[tuple[str, int]]:
        """The fields with dossiers taken in during [start, end), with how many, in alphabetical order."""
        return tracking_book.book_fields(self.session, start, end)

    def book_page(
        self, start: datetime, end: datetime, field: str, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[BookLine]:
        """One page of the book of `field`, in order of reception, after the (received_at, uuid) `after`."""
        return tracking_book.book_page(self.session, start, end, field, after=after, limit=limit)

    # --- late report ---------------------------------------------------------------------------------------------

    def late_lines(self, start: datetime, end: datetime, moment: datetime) -> Iterator[LateLine]:
        """Dossiers resolved late in [start, end), overdue at `moment`, or given an apology in [start, moment)."""
        return late_cases.late_lines(self.session, start, end, moment)
