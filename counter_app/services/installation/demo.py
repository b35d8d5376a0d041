"""Realistic demonstration data: dossiers over past working days at a ward's pace, with their whole history.

The data is what the normal path would have written had the clerks taken these dossiers in: the same dossier
rows (the state folded from the events by the domain), the same opening payload, every event linked into the
counter's audit chain and pending for sync, and the day's and the book's numbering moved on so that the next
real intake takes the next number. It is written many dossiers per transaction through the unit of work's bulk
loader, and what repeats (appointments, payloads, moments) is computed once.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from counter_app.domain.clock import VN_TZ
from counter_app.domain.codes import DossierCode, Numbering
from counter_app.domain.deadlines import DueMode, ProcessingTime, compute_appointment
from counter_app.domain.dossier import KIND_DOSSIER, DossierState, PaperEntry, apply_event, evolve, opening_payload
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.number_scopes import (
    book_index,
    book_scope,
    book_scopes_prefix,
    dossier_scope,
    dossier_scopes_prefix,
)
from counter_app.domain.roles import Permission
from counter_app.domain.status import Stage
from counter_app.errors import RuleError, ValidationError
from counter_app.services.catalogue.procedures import CatalogueService
from counter_app.services.catalogue.working_calendar import CalendarService, processing_time
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.views import ProcedureView
from counter_app.services.desk.dossiers import DossierService
from counter_app.services.installation.demo_people import dated_uuids, invented_person
from counter_app.storage.bulk_load import BulkLoader, ChainAppender, NewEvent

PER_DAY = (120, 320)  # a busy ward centre takes a few hundred dossiers a day
BATCH = 10_000  # dossiers per write transaction: large enough to amortise, short enough not to block the desk
CLERK = "demo"
# json.dumps(..., ensure_ascii=False) writes every string with this C function
_json_text: Callable[[str], str] = json.encoder.encode_basestring
# fields of the opening payload that differ from one dossier of a procedure to the next
_VARYING = (
    "uuid",
    "code",
    "applicant_name",
    "applicant_identifier",
    "applicant_phone",
    "applicant_address",
    "received_at",
    "due_at",
    "calendar_version",
    "calendar_estimated",
    "book_index",
)
_HOLE_RE = re.compile(r'"\\u0000(\d+)\\u0000"')
History = list[tuple[str, dict[str, Any], datetime]]


class _OpeningText:
    """The opening event's payload JSON of one procedure's dossiers, with holes for what differs per dossier.

    The same text as EventRepository.append writes, json.dumps(opening_payload(state), ensure_ascii=False,
    sort_keys=True); `check` compares the two on a real dossier before any is written.
    """

    def __init__(self, template: DossierState) -> None:
        payload = opening_payload(template)
        payload.update({name: f"\x00{index}\x00" for index, name in enumerate(_VARYING)})
        parts = _HOLE_RE.split(json.dumps(payload, ensure_ascii=False, sort_keys=True))
        if len(parts) != 2 * len(_VARYING) + 1:
            raise RuntimeError("demo payload template: a varying field is missing from the opening payload")
        self.pieces = parts[0::2]
        self.order = [int(index) for index in parts[1::2]]
        self.checked = False

    def text(self, values: Sequence[str]) -> str:
        """The payload of a dossier whose _VARYING fields are `values`, each already as JSON text."""
        out = [self.pieces[0]]
        for index, piece in zip(self.order, self.pieces[1:], strict=True):
            out.append(values[index])
            out.append(piece)
        return "".join(out)

    def check(self, state: DossierState, text: str) -> None:
        expected = json.dumps(opening_payload(state), ensure_ascii=False, sort_keys=True)
        if text != expected:
            raise RuntimeError("demo payload template differs from the opening payload of the normal path")
        self.checked = True


class DemoDataService:
    def __init__(
        self, context: ServiceContext, calendar: CalendarService, catalogue: CatalogueService, dossiers: DossierService
    ) -> None:
        self.context = context
        self.calendar = calendar
        self.catalogue = catalogue
        self.dossiers = dossiers

    def generate(self, count: int, *, seed: int = 1, progress: Callable[[int, int], None] | None = None) -> int:
        """Add `count` dossiers received on the working days before today, in large transactions, oldest first."""
        if count <= 0:
            raise ValidationError("dossiers", "Số hồ sơ minh họa phải là số dương.")
        self.context.require(Permission.DEMO)
        settings = self.context.settings()
        if not settings.is_configured:
            raise RuleError("Quầy chưa được thiết lập. Chạy “counter-app init” trước.")
        rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by seed, not security
        procedures = self.catalogue.list_procedures()
        if not procedures:
            raise RuleError("Danh mục thủ tục đang trống; không tạo được hồ sơ minh họa.")
        with self.context.uow() as uow:
            agency = uow.agencies.get(settings.agency_code)
            assert agency is not None
            numbering = Numbering(agency.counter_digits, agency.number_digits)
            used = uow.bulk.sequences(self._day_scope(""))
        writer = _Writer(self.context, self.calendar, procedures, numbering, rng)
        made = 0
        batch: list[tuple[date, int]] = []
        pending = 0
        for day, wanted in reversed(self._plan(count, rng, numbering, used)):
            batch.append((day, wanted))
            pending += wanted
            if pending >= BATCH:
                made += writer.write(batch)
                batch, pending = [], 0
                if progress:
                    progress(made, count)
        if batch:
            made += writer.write(batch)
            if progress:
                progress(made, count)
        return made

    def _day_scope(self, day_text: str) -> str:
        settings = self.context.settings()
        return f"{dossier_scopes_prefix(settings.agency_code, settings.counter)}{day_text}"

    def _plan(
        self, count: int, rng: random.Random, numbering: Numbering, used: dict[str, int]
    ) -> list[tuple[date, int]]:
        """How many dossiers each day takes, going back from the last working day before today."""
        calendar = self.calendar.working_calendar()
        today = self.context.clock.now().astimezone(VN_TZ).date()
        day = calendar.add_working_days(today, 0)
        if day >= today:
            day = calendar.previous_working_day(day)
        per_day_cap = min(PER_DAY[1], numbering.max_number)
        plan: list[tuple[date, int]] = []
        left = count
        while left > 0:
            free = numbering.max_number - used.get(self._day_scope(f"{day:%y%m%d}"), 0)
            wanted = min(rng.randint(PER_DAY[0], per_day_cap), left, free)
            if wanted > 0:
                plan.append((day, wanted))
                left -= wanted
            day = calendar.previous_working_day(day)
        return plan


class _Writer:
    """Makes and writes the dossiers of a run of days in one write transaction."""

    def __init__(
        self,
        context: ServiceContext,
        calendar: CalendarService,
        procedures: list[ProcedureView],
        numbering: Numbering,
        rng: random.Random,
    ) -> None:
        self.context = context
        self.settings = settings = context.settings()
        self.calendar = calendar.working_calendar()
        self.hours = settings.hours
        self.mode = settings.mode
        self.numbering = numbering
        self.rng = rng
        self.now = context.clock.now()
        self.procedures = procedures
        self.times: dict[str, ProcessingTime] = {p.code: processing_time(p.days, p.same_day_cutoff) for p in procedures}
        self.templates = {p.code: self._template(p) for p in procedures}
        self.openings = {code: _OpeningText(t) for code, t in self.templates.items()}
        self.appointments: dict[tuple[object, ...], tuple[datetime, str, bool]] = {}
        self.payload_texts: dict[tuple[object, ...], str] = {}

    def _template(self, proc: ProcedureView) -> DossierState:
        """What every demo dossier of `proc` shares, as IntakeService.accept fills it in."""
        settings = self.settings
        return DossierState(
            uuid="",
            kind=KIND_DOSSIER,
            agency_code=settings.agency_code,
            counter=settings.counter,
            procedure_code=proc.code,
            procedure_name=proc.name,
            applicant_name="",
            received_at=self.now,
            stage=Stage.RECEIVED.value,
            status=int(Stage.RECEIVED.status),
            rule_set=settings.rule_set,
            field=proc.field,
            deciding_agency=proc.deciding_agency,
            fee=proc.fee,
            fee_paid=proc.fee > 0,
            processing_days=proc.days,
            same_day_cutoff=proc.same_day_cutoff,
            supplement_rule=proc.supplement_rule,
            book_volume=settings.book_volume,
            papers=tuple(PaperEntry(p.name, p.originals, p.copies) for p in proc.papers),
        )

    def _appointment(self, received: datetime, proc: ProcedureView) -> tuple[datetime, str, bool]:
        """compute_appointment, remembered per day and procedure (and, for same-day ones, side of the cut-off)."""
        processing = self.times[proc.code]
        key: tuple[object, ...]
        if self.mode is DueMode.HOURS and processing.days > 0:
            key = (received, proc.code)  # counted from the moment of receipt
        elif processing.same_day_cutoff is not None and processing.days == 0:
            # same day unless received after the cut-off (the cut-off itself is in time: deadlines._due_day)
            key = (received.date(), proc.code, received.time() <= processing.same_day_cutoff)
        else:
            key = (received.date(), proc.code)
        slot = self.appointments.get(key)
        if slot is None:
            a = compute_appointment(received, processing, self.calendar, self.hours, self.mode)
            slot = self.appointments[key] = (a.due, a.calendar_version, a.estimated)
        return slot

    def _payload_text(self, kind: str, payload: dict[str, Any], key: object) -> str:
        """The JSON of a later event's payload (EventRepository.append's), made once per kind and variant."""
        text = self.payload_texts.get((kind, key))
        if text is None:
            text = self.payload_texts[(kind, key)] = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        return text

    def write(self, days: list[tuple[date, int]]) -> int:
        """Make and write the dossiers of `days` (oldest first) and move the numbering on, in one transaction."""
        settings = self.settings
        agency, counter = settings.agency_code, settings.counter
        with self.context.uow(write=True) as uow:
            loader = uow.bulk
            # read in the write transaction (it begins IMMEDIATE): nobody numbers between these reads and the commit
            day_used = loader.sequences(dossier_scopes_prefix(agency, counter))
            book_used = loader.sequences(book_scopes_prefix(agency, counter))
            chain = loader.chain(agency, counter, CLERK)
            made = 0
            moved: dict[str, int] = {}
            with loader.loading():
                for day, planned in days:
                    scope = dossier_scope(agency, counter, day)
                    start = day_used.get(scope, 0)
                    wanted = min(planned, self.numbering.max_number - start)
                    if wanted <= 0:
                        continue
                    self._write_day(loader, chain, day, start, wanted, book_used, moved)
                    moved[scope] = start + wanted
                    made += wanted
            for scope, last in moved.items():
                uow.sequences.set(scope, last)
            uow.commit()
        return made

    def _write_day(
        self,
        loader: BulkLoader,
        chain: ChainAppender,
        day: date,
        start: int,
        count: int,
        book_used: dict[str, int],
        moved: dict[str, int],
    ) -> None:
        settings, rng, moment_text = self.settings, self.rng, loader.moment_text
        agency, counter = settings.agency_code, settings.counter
        # the code of the day's last dossier is checked like any code; the others differ only in their number
        DossierCode(agency, day, counter, start + count, self.numbering)
        width = self.numbering.number_digits
        prefix = str(DossierCode(agency, day, counter, 1, self.numbering))[:-width]
        base = datetime.combine(day, time(7, 30), tzinfo=VN_TZ)
        uuids = iter(dated_uuids(count * 5, base))  # a dossier and at most four events each
        states: list[DossierState] = []
        events: list[NewEvent] = []
        for number in range(start + 1, start + count + 1):
            proc = rng.choice(self.procedures)
            minute = rng.randint(0, 8 * 60 - 1)
            received = base + timedelta(minutes=minute + (90 if minute >= 240 else 0))
            due, version, estimated = self._appointment(received, proc)
            name, identifier, phone, address = invented_person(rng)
            in_book = book_scope(agency, counter, proc.field, day.year)
            book = moved.get(in_book, book_used.get(in_book, 0)) + 1
            moved[in_book] = book
            index = book_index(counter, book)
            uuid = next(uuids)
            code = f"{prefix}{number:0{width}d}"
            received_text, due_text = moment_text(received), moment_text(due)
            state = evolve(
                self.templates[proc.code],
                {
                    "uuid": uuid,
                    "code": code,
                    "applicant_name": name,
                    "applicant_identifier": identifier,
                    "applicant_phone": phone,
                    "applicant_address": address,
                    "received_at": received,
                    "due_at": due,
                    "calendar_version": version,
                    "calendar_estimated": estimated,
                    "book_index": index,
                    # apply_event's opening: the payload holds these values, so its fold is this state
                    "event_count": 1,
                    "updated_at": received,
                },
            )
            opening = self.openings[proc.code]
            text = opening.text(
                (
                    _json_text(uuid),
                    _json_text(code),
                    _json_text(name),
                    _json_text(identifier),
                    _json_text(phone),
                    _json_text(address),
                    _json_text(received_text),
                    _json_text(due_text),
                    _json_text(version),
                    "true" if estimated else "false",
                    str(index),
                )
            )
            if not opening.checked:
                opening.check(state, text)
            events.append((next(uuids), EventKind.DOSSIER_ACCEPTED, uuid, text, received_text))
            for kind, payload, at in _history(state, rng, self.now):
                state = apply_event(state, kind, payload, at)
                variant = payload.get("rating") if kind == EventKind.HANDED_OVER else proc.code
                events.append((next(uuids), kind, uuid, self._payload_text(kind, payload, variant), moment_text(at)))
            states.append(state)
        loader.add_dossiers(states)
        loader.add_events(chain, events)


def _history(state: DossierState, rng: random.Random, now: datetime) -> History:
    """After acceptance: (for older dossiers) transferred, result back and handed over; a few stay late."""
    assert state.due_at is not None
    if state.due_at > now and rng.random() < 0.7:
        return []
    at = state.received_at + timedelta(hours=1)
    events: History = [(EventKind.TRANSFERRED, {"to": state.deciding_agency, "note": ""}, at)]
    roll = rng.random()
    if roll < 0.03 and state.due_at > now - timedelta(days=10):
        return events  # still being processed, late
    if roll < 0.05:
        events.append((EventKind.WITHDRAWN, {"reason": "Công dân đề nghị rút hồ sơ (dữ liệu minh họa)."}, at))
        return events
    ready = state.due_at - timedelta(hours=rng.choice((2, 8, 30))) if rng.random() < 0.95 else state.due_at
    ready = max(ready, at + timedelta(minutes=30))
    if roll > 0.97:
        ready = state.due_at + timedelta(days=2)  # resolved late
    if ready > now:
        return events
    events.append((EventKind.RESULT_READY, {}, ready))
    handed = ready + timedelta(hours=rng.randint(1, 48))
    if handed < now:
        events.append(
            (
                EventKind.HANDED_OVER,
                {"by_post": False, "fee_collected": False, "rating": rng.choice((3, 4, 5, 5, 5)), "like": True},
                handed,
            )
        )
    return events
