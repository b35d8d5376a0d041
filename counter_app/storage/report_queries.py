"""Aggregate SQL of the reports over the dossier projection and the event log: counted in the database.

Timestamps are stored as ISO 8601 text in Vietnam's time (`2026-03-02T10:00:00+07:00`, see storage/types.py), so
the first 10 characters are the Vietnamese calendar day and the first 16 the minute: days, months and the
minute comparisons of domain/lateness.py are done on that text, inside the database. The definitions these
queries implement are written in services/reports/period_reports.py and docs/reports.md.

Indexes (migration 0003): events of one kind in a period are a range of ix_event_kind_time; dossiers finished in a
period, or still open at a moment, a range of ix_dossier_finished; dossiers received in a period a range of
ix_dossier_received. The database has no statistics (no ANALYZE), and SQLite's planner then prefers an equality
on `stage` to a range on `finished_at` even when the equality selects nearly every dossier, and an equality on an
event's kind to its dossier in a correlated subquery: `_unindexed` keeps such a term out of the index choice.
tests/storage/test_report_plans.py holds the queries to these plans.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from counter_app.domain.clock import to_vn
from counter_app.domain.dossier import KIND_DOSSIER
from counter_app.domain.status import Stage
from counter_app.storage.models import REPORT_EVENT_KINDS, DossierRow, EventRow

RESULT_STAGES = (Stage.RESULT_READY.value, Stage.RETURNED.value)
ENDED_STAGES = (Stage.WITHDRAWN.value, Stage.STOPPED.value)
# Events that set the appointment, with the payload key holding it.
_DUE_KINDS = ("dossier.accepted", "dossier.supplement_received", "dossier.reappointed")
_SUPPLEMENT_KINDS = ("dossier.supplement_requested", "dossier.supplement_received")
_DAY, _MONTH, _MINUTE = 10, 7, 16  # lengths of "YYYY-MM-DD", "YYYY-MM", "YYYY-MM-DDTHH:MM"
_SHORT_PERIOD = timedelta(days=93)
_ROWID = literal_column("dossier.rowid", Integer())


@dataclass(frozen=True, slots=True)
class GroupKey:
    """The group of a breakdown row: one procedure, with its field and deciding agency as recorded at intake."""

    procedure_code: str
    procedure_name: str
    field: str
    deciding_agency: str


@dataclass(frozen=True, slots=True)
class GroupCounts:
    """Counts of one group; each query fills the counters it knows, the service adds the rows of one key."""

    key: GroupKey
    received: int = 0
    fees: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    withdrawn: int = 0
    stopped: int = 0
    pending: int = 0
    overdue: int = 0
    late_without_apology: int = 0


@dataclass(frozen=True, slots=True)
class Intake:
    """What came in at the counter during a period, counted in one pass over the period's receptions."""

    groups: tuple[GroupCounts, ...]  # dossiers taken in (not voided): received and fees per group
    by_channel: dict[int, int]  # dossiers taken in, per channel
    slips: dict[str, int]  # counter slips per kind (Mẫu 02 supplement slips, Mẫu 03 refusals)


@dataclass(frozen=True, slots=True)
class AnswerCount:
    """Hand-overs with one combination of answers: rating 1..5 (or none) and like / dislike (or none)."""

    rating: int | None
    like: bool | None
    count: int


@dataclass(frozen=True, slots=True)
class MonthResolved:
    month: str  # "YYYY-MM"
    early: int
    on_time: int
    late: int


@dataclass(frozen=True, slots=True)
class BookLine:
    """What one line of the tracking book needs from a dossier."""

    uuid: str
    book_index: int
    code: str
    procedure_name: str
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    deciding_agency: str
    field: str
    received_at: datetime
    due_at: datetime | None
    returned_at: datetime | None
    result_delivery: str


@dataclass(frozen=True, slots=True)
class LateLine:
    """A dossier of the late report, with the apology letter recorded before the report's moment (if any)."""

    uuid: str
    code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    deciding_agency: str
    stage: str
    received_at: datetime
    due_at: datetime | None  # the current appointment
    due_then: datetime | None  # the appointment in force at the report's moment
    finished_at: datetime | None
    resolved_late: bool
    overdue: bool
    apology_at: datetime | None
    apology_payload: str | None  # JSON of the dossier.reappointed event


def vn_text(moment: datetime) -> str:
    """A moment as the stored text (the bind value of a VnDateTime column)."""
    return to_vn(moment).isoformat(timespec="seconds")


def _text(column: Any) -> ColumnElement[str]:
    """A VnDateTime column seen as its stored text, so SQL string functions and text binds apply to it."""
    return type_coerce(column, String())


def _prefix(value: Any, length: int) -> ColumnElement[str]:
    return func.substr(value, 1, length, type_=String())


def _time_from(moment: datetime) -> ColumnElement[str]:
    return literal(vn_text(moment), String())


def _group_columns() -> list[Any]:
    return [
        DossierRow.procedure_code,
        func.max(DossierRow.procedure_name),
        DossierRow.field,
        DossierRow.deciding_agency,
    ]


def _key(row: Any) -> GroupKey:
    return GroupKey(str(row[0]), str(row[1] or ""), str(row[2] or ""), str(row[3] or ""))


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _taken_in() -> ColumnElement[bool]:
    """Dossiers accepted at the counter and not voided (a voided dossier was taken in by mistake)."""
    return and_(DossierRow.kind == KIND_DOSSIER, DossierRow.stage != Stage.VOIDED.value)


def _kind(kind: str) -> BindParameter[str]:
    """An event kind written into the SQL: ix_event_kind_time is partial (models.REPORT_EVENT_KINDS), and SQLite
    uses a partial index only when the query's own text shows the row is in it."""
    if kind not in REPORT_EVENT_KINDS:
        raise ValueError(f"no index for event kind {kind!r}")
    return bindparam(None, kind, type_=String(), literal_execute=True)


def _unindexed(column: Any) -> ColumnElement[str]:
    """`column || ''`: the same text, but a term on it does not make the planner pick that column's index."""
    return _text(column).concat(literal("", String()))


def _short(start: datetime, end: datetime) -> bool:
    """Whether [start, end) is short (at most 93 days) next to a database of years: then the period's range of
    ix_dossier_finished holds fewer dossiers than, say, every withdrawal ever recorded."""
    return end - start <= _SHORT_PERIOD


def _second_supplement() -> ColumnElement[bool]:
    """The dossier had a second supplement request, which makes it count as late (domain.md §5).

    The requests are a range of ix_event_kind_time, few in any database: one small list for the whole query.
    """
    second = and_(
        EventRow.kind == _kind("dossier.supplement_requested"),
        func.json_extract(EventRow.payload, "$.second_request") == 1,
    )
    return DossierRow.uuid.in_(select(EventRow.dossier_uuid).where(second))


def _late_when_resolved() -> ColumnElement[bool]:
    """timeliness() of domain/lateness.py is late: the minute of the end after the minute of the appointment."""
    finished, due = _text(DossierRow.finished_at), _text(DossierRow.due_at)
    return or_(_prefix(finished, _MINUTE) > _prefix(due, _MINUTE), _second_supplement())


def _early_when_resolved() -> ColumnElement[bool]:
    """timeliness() is early: ended on a day before the due day (and not late)."""
    return _prefix(_text(DossierRow.finished_at), _DAY) < _prefix(_text(DossierRow.due_at), _DAY)


_EARLY, _ON_TIME, _LATE = 0, 1, 2


def _timeliness() -> ColumnElement[int]:
    """timeliness() of a resolved dossier as 0 early, 1 on time, 2 late: computed once per dossier."""
    return case((_late_when_resolved(), _LATE), (_early_when_resolved(), _EARLY), else_=_ON_TIME)


def _resolved_between(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Dossiers whose result came back in [start, end): a range of ix_dossier_finished.

    Nearly every dossier ends with its result: an equality on `stage` would select them all.
    """
    return and_(
        _taken_in(),
        _unindexed(DossierRow.stage).in_(RESULT_STAGES),
        DossierRow.finished_at >= start,
        DossierRow.finished_at < end,
    )


class _AsOf:
    """SQL expressions of a dossier's situation at a past moment, rebuilt from the event log.

    The projection holds only the current state; a report of last month asked today must count what was open
    and overdue at the end of last month, not what is open now.
    """

    def __init__(self, moment: datetime) -> None:
        self.moment = moment
        events = aliased(EventRow)
        before = and_(events.dossier_uuid == DossierRow.uuid, events.occurred_at < moment)
        # the appointment in force: the last event before the moment that set it
        self.due_text = func.coalesce(
            select(
                func.coalesce(
                    func.json_extract(events.payload, "$.new_due_at"), func.json_extract(events.payload, "$.due_at")
                )
            )
            .where(before, _unindexed(events.kind).in_(_DUE_KINDS))
            .order_by(events.occurred_at.desc(), events.seq.desc())
            .limit(1)
            .correlate(DossierRow)
            .scalar_subquery(),
            _text(DossierRow.original_due_at),
            _text(DossierRow.due_at),
            type_=String(),
        )
        last_supplement = (
            select(events.kind)
            .where(before, _unindexed(events.kind).in_(_SUPPLEMENT_KINDS))
            .order_by(events.occurred_at.desc(), events.seq.desc())
            .limit(1)
            .correlate(DossierRow)
            .scalar_subquery()
        )
        paused = func.coalesce(last_supplement, "") == "dossier.supplement_requested"
        apology = aliased(EventRow)
        self.apologised = exists().where(
            apology.dossier_uuid == DossierRow.uuid,
            _unindexed(apology.kind) == "dossier.reappointed",
            apology.occurred_at < moment,
        )
        # The open dossiers are found by ix_dossier_finished (not finished, or finished after the moment), as a
        # list of rowids made once: a range of ix_dossier_received would read every dossier received before
        # the moment, and with a GROUP BY the planner prefers scanning an index in the group's order.
        open_then = select(_ROWID).where(or_(DossierRow.finished_at.is_(None), DossierRow.finished_at >= moment))
        self.pending = and_(
            _taken_in(),
            _ROWID.in_(open_then),
            _unindexed(DossierRow.received_at) < _time_from(moment),
        )
        # lateness() of domain/lateness.py: overdue once the minute of the moment is after the appointment's
        self.overdue = and_(
            self.pending,
            not_(paused),
            _prefix(self.due_text, _MINUTE) < _prefix(_time_from(moment), _MINUTE),
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
                EventRow.kind == _kind("dossier.handed_over"), EventRow.occurred_at >= start, EventRow.occurred_at < end
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
        # grouped on `field || ''`: grouped on the column, the planner would walk all of ix_dossier_field_received
        # (every dossier ever) to spare itself a sort of the period's few fields
        field = _unindexed(DossierRow.field)
        query = (
            select(field, func.count())
            .where(_taken_in(), DossierRow.received_at >= start, DossierRow.received_at < end)
            .group_by(field)
            .order_by(field)
        )
        return [(str(f), int(n)) for f, n in self.session.execute(query)]

    def book_page(
        self, start: datetime, end: datetime, field: str, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[BookLine]:
        """One page of the book of `field`, in order of reception, after the (received_at, uuid) `after`."""
        handed = aliased(EventRow)
        returned = (
            select(func.min(handed.occurred_at))
            # the literal kind lets the partial ix_event_handed_over answer from the index alone
            .where(handed.dossier_uuid == DossierRow.uuid, handed.kind == _kind("dossier.handed_over"))
            .correlate(DossierRow)
            .scalar_subquery()
        )
        query: Select[Any] = select(
            DossierRow.uuid,
            DossierRow.book_index,
            DossierRow.code,
            DossierRow.procedure_name,
            DossierRow.applicant_name,
            DossierRow.applicant_address,
            DossierRow.applicant_phone,
            DossierRow.deciding_agency,
            DossierRow.field,
            DossierRow.received_at,
            DossierRow.due_at,
            type_coerce(returned, DossierRow.received_at.type),
            DossierRow.result_delivery,
        ).where(_taken_in(), DossierRow.field == field, DossierRow.received_at >= start, DossierRow.received_at < end)
        if after is not None:
            moment, uuid = after
            query = query.where(
                or_(
                    DossierRow.received_at > moment,
                    and_(DossierRow.received_at == moment, DossierRow.uuid > uuid),
                )
            )
        query = query.order_by(DossierRow.received_at, DossierRow.uuid).limit(limit)
        return [
            BookLine(
                uuid=r[0],
                book_index=int(r[1] or 0),
                code=str(r[2] or ""),
                procedure_name=r[3],
                applicant_name=r[4],
                applicant_address=r[5] or "",
                applicant_phone=r[6] or "",
                deciding_agency=r[7] or "",
                field=r[8] or "",
                received_at=r[9],
                due_at=r[10],
                returned_at=r[11],
                result_delivery=r[12] or "",
            )
            for r in self.session.execute(query)
        ]

    # --- late report ---------------------------------------------------------------------------------------------

    def late_lines(self, start: datetime, end: datetime, moment: datetime) -> Iterator[LateLine]:
        """Dossiers resolved late in [start, end), overdue at `moment`, or given an apology in [start, moment)."""
        as_of = _AsOf(moment)
        resolved_late = and_(_resolved_between(start, end), _late_when_resolved())
        apology = aliased(EventRow)
        letter = and_(
            apology.dossier_uuid == DossierRow.uuid,
            _unindexed(apology.kind) == "dossier.reappointed",
            apology.occurred_at < moment,
        )
        # `reappointed` of the projection is true for every dossier with a letter: a cheap test before the look-up
        apologised_in_period = and_(
            DossierRow.reappointed.is_(True), exists().where(letter, apology.occurred_at >= start)
        )

        def letter_column(column: Any) -> Any:
            return select(column).where(letter).order_by(apology.occurred_at).limit(1).scalar_subquery()

        query = (
            select(
                DossierRow.uuid,
                DossierRow.code,
                DossierRow.procedure_code,
                DossierRow.procedure_name,
                DossierRow.applicant_name,
                DossierRow.deciding_agency,
                DossierRow.stage,
                DossierRow.received_at,
                DossierRow.due_at,
                as_of.due_text,
                DossierRow.finished_at,
                resolved_late,
                as_of.overdue,
                type_coerce(letter_column(apology.occurred_at), DossierRow.received_at.type),
                letter_column(apology.payload),
            )
            .where(_taken_in(), or_(resolved_late, as_of.overdue, apologised_in_period))
            .order_by(DossierRow.deciding_agency, DossierRow.received_at, DossierRow.uuid)
        )
        for r in self.session.execute(query):
            yield LateLine(
                uuid=r[0],
                code=str(r[1] or ""),
                procedure_code=r[2],
                procedure_name=r[3],
                applicant_name=r[4],
                deciding_agency=r[5] or "",
                stage=r[6],
                received_at=r[7],
                due_at=r[8],
                due_then=to_vn(datetime.fromisoformat(r[9])) if r[9] else None,
                finished_at=r[10],
                resolved_late=bool(r[11]),
                overdue=bool(r[12]),
                apology_at=r[13],
                apology_payload=r[14],
            )
