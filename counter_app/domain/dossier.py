"""A dossier's state as a pure fold of its ordered events, so every copy (counter, central) derives the same."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from counter_app.domain.clock import to_vn
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.status import Action, Stage, next_stage
from counter_app.errors import RuleError

# A slip (Mẫu 02 at the counter) is not a dossier: nothing was taken in, so it stays "Mới đăng ký".
SLIP_STAGE = "awaiting_completion"
SLIP_STATUS = 1
# the applicant came back with what was missing: the dossier was taken in under its own code, the slip is closed
SLIP_COMPLETED_STAGE = "slip_completed"
SLIP_STAGE_LABELS = {SLIP_STAGE: "Chờ bổ sung, hoàn thiện hồ sơ", SLIP_COMPLETED_STAGE: "Đã tiếp nhận bổ sung"}

KIND_DOSSIER = "dossier"
KIND_SUPPLEMENT_SLIP = "supplement_slip"
KIND_REFUSAL_SLIP = "refusal_slip"


@dataclass(frozen=True)
class PaperEntry:
    name: str
    originals: int = 0
    copies: int = 0
    missing: bool = False


@dataclass(frozen=True)
class DossierState:
    """Everything the counter knows of one dossier (or slip); field names are the storage columns."""

    uuid: str
    kind: str
    agency_code: str
    counter: int
    procedure_code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime
    stage: str
    status: int
    code: str | None = None
    slip: str | None = None
    rule_set: str = "TT03-2025"
    field: str = ""
    deciding_agency: str = ""
    channel: int = 1
    applicant_kind: str = "person"
    applicant_identifier: str = ""
    applicant_birth_date: str | None = None
    applicant_sex: str | None = None
    applicant_address: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    filer_name: str = ""
    filer_identifier: str = ""
    filer_phone: str = ""
    filer_authorisation: str = ""
    result_delivery: str = "desk"
    postal_address: str = ""
    sets_count: int = 1
    fee: int = 0
    fee_paid: bool = False
    processing_days: int = 0
    same_day_cutoff: str | None = None
    supplement_rule: str = "pause"
    due_at: datetime | None = None
    original_due_at: datetime | None = None
    calendar_version: str = ""
    calendar_estimated: bool = False
    paused_at: datetime | None = None
    finished_at: datetime | None = None
    reappointed: bool = False
    supervisor_flag: str = ""
    reason: str = ""
    book_volume: int = 1
    book_index: int = 0
    event_count: int = 0
    updated_at: datetime | None = None
    papers: tuple[PaperEntry, ...] = ()

    @property
    def stage_enum(self) -> Stage | None:
        try:
            return Stage(self.stage)
        except ValueError:
            return None


# Fields an "opened" event carries; the rest are derived by later events.
OPENING_FIELDS = tuple(f.name for f in dataclasses.fields(DossierState) if f.name not in {"event_count", "updated_at"})
DATETIME_FIELDS = frozenset(f.name for f in dataclasses.fields(DossierState) if "datetime" in str(f.type))

# Correctable descriptive fields (a correction records old and new values and why).
CORRECTABLE_FIELDS = frozenset(
    {
        "applicant_name",
        "applicant_identifier",
        "applicant_birth_date",
        "applicant_sex",
        "applicant_address",
        "applicant_phone",
        "applicant_email",
        "filer_name",
        "filer_identifier",
        "filer_phone",
        "filer_authorisation",
        "result_delivery",
        "postal_address",
        "sets_count",
        "fee",
        "fee_paid",
    }
)

OPENING_KINDS = frozenset({EventKind.DOSSIER_ACCEPTED, EventKind.SLIP_SUPPLEMENT, EventKind.SLIP_REFUSED})
# What an opening event may record beside the state (the fold ignores them; the history and the forms read them):
# a dossier received on paper entered later than it was received, by a supervisor with a reason ({"reason": …}),
# and a dossier re-entered from its "Liên 1" copy under its printed code and time after a restore lost it.
BACK_ENTRY_FIELD = "back_entry"
RE_ENTRY_FIELD = "re_entry"
RE_ENTRY_RECEIPT = "receipt_number"  # in the re-entry's record: the receipt number printed on the Liên 1 copy

# Events that move the stage, with the action the transition table checks.
STAGE_ACTIONS: Mapping[str, Action] = {
    EventKind.TRANSFERRED: Action.TRANSFER,
    EventKind.SUPPLEMENT_REQUESTED: Action.REQUEST_SUPPLEMENT,
    EventKind.SUPPLEMENT_RECEIVED: Action.RECEIVE_SUPPLEMENT,
    EventKind.PAYMENT_REQUESTED: Action.REQUEST_PAYMENT,
    EventKind.PAYMENT_RECEIVED: Action.RECEIVE_PAYMENT,
    EventKind.RESULT_READY: Action.RESULT_READY,
    EventKind.HANDED_OVER: Action.HAND_OVER,
    EventKind.WITHDRAWN: Action.WITHDRAW,
    EventKind.STOPPED: Action.STOP,
    EventKind.VOIDED: Action.VOID,
}
# Events that keep the stage but are allowed only in some stages.
STAY_ACTIONS: Mapping[str, Action] = {
    EventKind.CORRECTED: Action.CORRECT,
    EventKind.REAPPOINTED: Action.REAPPOINT,
}
FINISHING_KINDS = frozenset({EventKind.RESULT_READY, EventKind.WITHDRAWN, EventKind.STOPPED, EventKind.VOIDED})


def encode_value(value: Any) -> Any:
    """A state value as JSON-safe data (datetimes as ISO 8601 with the +07:00 offset)."""
    if isinstance(value, datetime):
        return to_vn(value).isoformat(timespec="seconds")
    if isinstance(value, tuple | list):
        return [encode_value(v) for v in value]
    if isinstance(value, PaperEntry):
        return dataclasses.asdict(value)
    return value


def decode_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in DATETIME_FIELDS:
        return to_vn(datetime.fromisoformat(str(value)))
    if name == "papers":
        return tuple(PaperEntry(**p) for p in value)
    return value


def opening_payload(state: DossierState) -> dict[str, Any]:
    return {name: encode_value(getattr(state, name)) for name in OPENING_FIELDS}


def _opened(payload: Mapping[str, Any], at: datetime) -> DossierState:
    values = {name: decode_value(name, payload[name]) for name in OPENING_FIELDS if name in payload}
    values["event_count"] = 1
    values["updated_at"] = to_vn(at)
    return DossierState(**values)


_STATE_FIELDS = frozenset(f.name for f in dataclasses.fields(DossierState))
# evolve() relies on this: a DossierState is nothing but its fields (no __post_init__, no derived field)
assert not hasattr(DossierState, "__post_init__") and all(f.init for f in dataclasses.fields(DossierState))


def evolve(state: DossierState, changes: Mapping[str, Any]) -> DossierState:
    """`dataclasses.replace(state, **changes)`, about twenty times faster.

    replace() runs the generated __init__ over all ~50 fields, which made folding events the bulk of replaying
    a dossier; a DossierState is nothing but its fields (asserted above), so copying them gives the same value.
    """
    unknown = changes.keys() - _STATE_FIELDS
    if unknown:
        raise TypeError(f"DossierState has no field {sorted(unknown)[0]!r}")
    new = object.__new__(DossierState)
    values = new.__dict__
    values.update(state.__dict__)
    values.update(changes)
    return new


def apply_event(state: DossierState | None, kind: str, payload: Mapping[str, Any], at: datetime) -> DossierState:
    """The state after one event; raises RuleError when the event is not allowed in that state."""
    if kind in OPENING_KINDS:
        if state is not None:
            raise RuleError("Hồ sơ này đã được ghi nhận trước đó.")
        return _opened(payload, at)
    if state is None:
        raise RuleError("Không tìm thấy hồ sơ để ghi nhận thao tác.")
    moment = to_vn(at)
    if kind == EventKind.SLIP_COMPLETED:
        if state.kind != KIND_SUPPLEMENT_SLIP or state.stage != SLIP_STAGE:
            raise RuleError(f"Phiếu {state.slip or ''} không còn chờ bổ sung: đã được tiếp nhận bổ sung trước đó.")
        return evolve(
            state, {"event_count": state.event_count + 1, "updated_at": moment, "stage": SLIP_COMPLETED_STAGE}
        )
    # every change of this event, applied at once at the end
    changes: dict[str, Any] = {"event_count": state.event_count + 1, "updated_at": moment}
    action = STAGE_ACTIONS.get(kind)
    if action is not None:
        current = state.stage_enum
        if current is None:
            raise RuleError("Phiếu này không phải hồ sơ đã tiếp nhận nên không thể xử lý tiếp.")
        stage = next_stage(current, action)
        changes["stage"] = stage.value
        changes["status"] = int(stage.status)
        if kind in FINISHING_KINDS and state.finished_at is None:
            changes["finished_at"] = moment
        if kind in {EventKind.WITHDRAWN, EventKind.VOIDED, EventKind.STOPPED}:
            changes["reason"] = str(payload.get("reason", ""))
    stay = STAY_ACTIONS.get(kind)
    if stay is not None and state.stage_enum is not None:
        # the table says where corrections and re-appointments are allowed (not on a closed record, not while
        # the clock is paused); the stage itself does not change
        next_stage(state.stage_enum, stay)
    if kind == EventKind.SUPPLEMENT_REQUESTED:
        changes["paused_at"] = moment
        changes["reason"] = str(payload.get("reason", ""))
    elif kind == EventKind.SUPPLEMENT_RECEIVED:
        changes["paused_at"] = None
        changes["due_at"] = decode_value("due_at", payload["due_at"])
    elif kind == EventKind.HANDED_OVER:
        if payload.get("fee_collected"):
            changes["fee_paid"] = True
    elif kind == EventKind.CORRECTED:
        changes.update(
            {k: decode_value(k, v[1]) for k, v in dict(payload["changes"]).items() if k in CORRECTABLE_FIELDS}
        )
    elif kind == EventKind.REAPPOINTED:
        if state.reappointed:
            raise RuleError("Hồ sơ này đã được hẹn lại một lần; pháp luật chỉ cho phép hẹn lại một lần.")
        changes["reappointed"] = True
        changes["original_due_at"] = state.original_due_at or state.due_at
        changes["due_at"] = decode_value("due_at", payload["new_due_at"])
    elif kind == EventKind.FLAGGED:
        changes["supervisor_flag"] = str(payload.get("reason", ""))
    return evolve(state, changes)


def replay(events: Iterable[tuple[str, Mapping[str, Any], datetime]]) -> DossierState | None:
    """The state after all events, in order: the same events always give the same state."""
    state: DossierState | None = None
    for kind, payload, at in events:
        state = apply_event(state, kind, payload, at)
    return state
