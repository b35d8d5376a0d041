"""Realistic demonstration data: dossiers over past working days at a ward's pace, with their whole history."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from counter_app.domain.citizen import PROVINCE_CODES
from counter_app.domain.clock import VN_TZ
from counter_app.domain.codes import DossierCode, Numbering, new_uuid
from counter_app.domain.deadlines import compute_appointment
from counter_app.domain.dossier import DossierState, PaperEntry, apply_event, opening_payload
from counter_app.domain.roles import Permission
from counter_app.domain.status import Stage
from counter_app.errors import RuleError, ValidationError
from counter_app.services.calendar import CalendarService, processing_time
from counter_app.services.catalogue import CatalogueService
from counter_app.services.context import ServiceContext
from counter_app.services.dossiers import DossierService

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bích"]
GIVEN_M = ["Anh", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khang", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tâm", "Vinh"]
GIVEN_F = ["An", "Châu", "Đào", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Ngân", "Oanh", "Trang", "Yến"]
STREETS = ["Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Pasteur", "Lý Tự Trọng", "Trần Hưng Đạo", "Điện Biên Phủ"]
PER_DAY = (120, 320)  # a busy ward centre takes a few hundred dossiers a day
BATCH = 2_000


def _person(rng: random.Random) -> tuple[str, str, str, str]:
    female = rng.random() < 0.5
    year = rng.randint(1950, 2006)
    name = " ".join(
        (
            rng.choice(FAMILY),
            rng.choice(MIDDLE_F if female else MIDDLE_M),
            rng.choice(GIVEN_F if female else GIVEN_M),
        )
    )
    century = 0 if year < 2000 else 2
    digit = century + (1 if female else 0)
    province = rng.choice(sorted(PROVINCE_CODES))
    identifier = f"{province}{digit}{year % 100:02d}{rng.randint(0, 999_999):06d}"
    phone = f"09{rng.randint(0, 99_999_999):08d}"
    address = f"{rng.randint(1, 300)} {rng.choice(STREETS)}, phường Minh Họa, Thành phố Hồ Chí Minh"
    return name, identifier, phone, address


class DemoDataService:
    def __init__(
        self, context: ServiceContext, calendar: CalendarService, catalogue: CatalogueService, dossiers: DossierService
    ) -> None:
        self.context = context
        self.calendar = calendar
        self.catalogue = catalogue
        self.dossiers = dossiers

    def generate(self, count: int, *, seed: int = 1, progress: Callable[[int, int], None] | None = None) -> int:
        """Add `count` dossiers received on past working days (most recent first), in large transactions."""
        if count <= 0:
            raise ValidationError("dossiers", "Số hồ sơ minh họa phải là số dương.")
        self.context.require(Permission.DEMO)
        settings = self.context.settings()
        if not settings.is_configured:
            raise RuleError("Quầy chưa được thiết lập. Chạy “counter-app init” trước.")
        rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by seed, not security
        procedures = self.catalogue.list_procedures()
        calendar = self.calendar.working_calendar()
        hours = settings.hours
        now = self.context.clock.now()
        with self.context.uow() as uow:
            agency = uow.agencies.get(settings.agency_code)
            assert agency is not None
            numbering = Numbering(agency.counter_digits, agency.number_digits)
        per_day_cap = min(PER_DAY[1], numbering.max_number)
        day = calendar.add_working_days(now.date(), 0)
        if day >= now.date():
            day = calendar.previous_working_day(day)
        made = 0
        pending: list[tuple[DossierState, list[tuple[str, dict[str, object], datetime]]]] = []
        appointments: dict[tuple[date, str], tuple[datetime, str, bool]] = {}
        while made < count:
            wanted = min(rng.randint(PER_DAY[0], per_day_cap), count - made)
            scope = f"dossier:{settings.agency_code}:{settings.counter}:{day:%y%m%d}"
            with self.context.uow() as uow:
                start = uow.sequences.peek(scope)
            wanted = min(wanted, numbering.max_number - start)
            for i in range(wanted):
                proc = rng.choice(procedures)
                minute = rng.randint(0, 8 * 60 - 1)
                base = datetime.combine(day, time(7, 30), tzinfo=VN_TZ)
                received = base + timedelta(minutes=minute + (90 if minute >= 240 else 0))
                key = (day, proc.code)
                slot = appointments.get(key)
                if slot is None or proc.same_day_cutoff:
                    a = compute_appointment(received, processing_time(proc.days, proc.same_day_cutoff), calendar, hours)
                    slot = (a.due, a.calendar_version, a.estimated)
                    if not proc.same_day_cutoff:
                        appointments[key] = slot
                name, identifier, phone, address = _person(rng)
                code = DossierCode(settings.agency_code, day, settings.counter, start + i + 1, numbering)
                state = DossierState(
                    uuid=str(new_uuid()),
                    kind="dossier",
                    agency_code=settings.agency_code,
                    counter=settings.counter,
                    procedure_code=proc.code,
                    procedure_name=proc.name,
                    applicant_name=name,
                    received_at=received,
                    stage=Stage.RECEIVED.value,
                    status=int(Stage.RECEIVED.status),
                    code=str(code),
                    field=proc.field,
                    deciding_agency=proc.deciding_agency,
                    applicant_identifier=identifier,
                    applicant_phone=phone,
                    applicant_address=address,
                    fee=proc.fee,
                    fee_paid=proc.fee > 0,
                    processing_days=proc.days,
                    same_day_cutoff=proc.same_day_cutoff,
                    supplement_rule=proc.supplement_rule,
                    due_at=slot[0],
                    calendar_version=slot[1],
                    calendar_estimated=slot[2],
                    papers=tuple(PaperEntry(p.name, p.originals, p.copies) for p in proc.papers),
                )
                pending.append((state, self._history(state, rng, now)))
            if wanted:
                with self.context.uow(write=True) as uow:
                    uow.sequences.set(scope, start + wanted)
                    uow.commit()
            made += wanted
            if len(pending) >= BATCH or made >= count:
                self._write(pending)
                pending = []
                if progress:
                    progress(made, count)
            day = calendar.previous_working_day(day)
        return made

    @staticmethod
    def _history(
        state: DossierState, rng: random.Random, now: datetime
    ) -> list[tuple[str, dict[str, object], datetime]]:
        """Accepted, then (for older dossiers) transferred, result back and handed over; a few stay late."""
        assert state.due_at is not None
        events: list[tuple[str, dict[str, object], datetime]] = [
            ("dossier.accepted", opening_payload(state), state.received_at)
        ]
        if state.due_at > now and rng.random() < 0.7:
            return events
        at = state.received_at + timedelta(hours=1)
        events.append(("dossier.transferred", {"to": state.deciding_agency, "note": ""}, at))
        roll = rng.random()
        if roll < 0.03 and state.due_at > now - timedelta(days=10):
            return events  # still being processed, late
        if roll < 0.05:
            events.append(("dossier.withdrawn", {"reason": "Công dân đề nghị rút hồ sơ (dữ liệu minh họa)."}, at))
            return events
        ready = state.due_at - timedelta(hours=rng.choice((2, 8, 30))) if rng.random() < 0.95 else state.due_at
        ready = max(ready, at + timedelta(minutes=30))
        if roll > 0.97:
            ready = state.due_at + timedelta(days=2)  # resolved late
        if ready > now:
            return events
        events.append(("dossier.result_ready", {}, ready))
        handed = ready + timedelta(hours=rng.randint(1, 48))
        if handed < now:
            events.append(
                (
                    "dossier.handed_over",
                    {"by_post": False, "fee_collected": False, "rating": rng.choice((3, 4, 5, 5, 5)), "like": True},
                    handed,
                )
            )
        return events

    def _write(self, pending: list[tuple[DossierState, list[tuple[str, dict[str, object], datetime]]]]) -> None:
        settings = self.context.settings()
        with self.context.uow(write=True) as uow:
            rows = []
            states = []
            for state, events in pending:
                current: DossierState | None = None
                for kind, payload, at in events:
                    current = apply_event(current, kind, payload, at)
                    rows.append((kind, payload, at, state.uuid))
                assert current is not None
                states.append(current)
            uow.dossiers.insert_many(states)
            uow.events.append_many(rows, agency_code=settings.agency_code, counter=settings.counter, clerk="demo")
            uow.commit()
