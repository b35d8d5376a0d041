"""The SQL terms the report queries share: stored-text times, groups, lateness, a dossier's state at a moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
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
from sqlalchemy.orm import aliased

from counter_app.domain.clock import to_vn
from counter_app.domain.dossier import KIND_DOSSIER
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.status import Stage
from counter_app.storage.models import REPORT_EVENT_KINDS, DossierRow, EventRow
from counter_app.storage.report_queries.records import GroupKey

RESULT_STAGES = (Stage.RESULT_READY.value, Stage.RETURNED.value)
ENDED_STAGES = (Stage.WITHDRAWN.value, Stage.STOPPED.value)
# Events that set the appointment, with the payload key holding it.
_DUE_KINDS = (EventKind.DOSSIER_ACCEPTED, EventKind.SUPPLEMENT_RECEIVED, EventKind.REAPPOINTED)
_SUPPLEMENT_KINDS = (EventKind.SUPPLEMENT_REQUESTED, EventKind.SUPPLEMENT_RECEIVED)
_DAY, _MONTH, _MINUTE = 10, 7, 16  # lengths of "YYYY-MM-DD", "YYYY-MM", "YYYY-MM-DDTHH:MM"
_SHORT_PERIOD = timedelta(days=93)
_ROWID = literal_column("dossier.rowid", Integer())


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
        EventRow.kind == _kind(EventKind.SUPPLEMENT_REQUESTED),
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
        paused = func.coalesce(last_supplement, "") == EventKind.SUPPLEMENT_REQUESTED
        apology = aliased(EventRow)
        self.apologised = exists().where(
            apology.dossier_uuid == DossierRow.uuid,
            _unindexed(apology.kind) == EventKind.REAPPOINTED,
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
