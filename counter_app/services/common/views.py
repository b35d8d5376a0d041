"""Frozen view objects: what services hand to the UI and the command line (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PaperView:
    name: str
    originals: int
    copies: int
    missing: bool = False


@dataclass(frozen=True)
class ProcedureView:
    code: str
    name: str
    field: str
    deciding_agency: str
    days: int
    same_day_cutoff: str | None
    fee: int
    supplement_rule: str
    demo: bool
    papers: tuple[PaperView, ...]


@dataclass(frozen=True)
class AppointmentView:
    due: datetime
    calendar_version: str
    estimated: bool


@dataclass(frozen=True)
class DossierView:
    uuid: str
    kind: str
    code: str | None
    slip: str | None
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_identifier: str
    applicant_phone: str
    status: int
    status_name: str
    stage: str
    stage_name: str
    received_at: datetime
    due_at: datetime | None
    original_due_at: datetime | None
    reappointed: bool
    paused: bool
    deciding_agency: str
    fee: int
    fee_paid: bool


@dataclass(frozen=True)
class EventView:
    uuid: str
    kind: str
    label: str
    occurred_at: datetime
    clerk: str
    counter: int
    details: str


@dataclass(frozen=True)
class IntakeResult:
    uuid: str
    code: str | None
    slip: str | None
    due: datetime | None
    calendar_version: str
    outcome: str  # accept | supplement | refuse | complete (a Mẫu 02 slip's dossier taken in)
    completed_slip_uuid: str | None = None  # complete: the slip closed by this dossier
