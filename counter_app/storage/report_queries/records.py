"""The records the report queries return: counts per group, intake, answers, book lines, late lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
