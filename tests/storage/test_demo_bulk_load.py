"""Demo data written by the bulk loader is what the normal path writes: rows, events, audit chain, outbox, numbering."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.codes import DossierCode
from counter_app.domain.dossier import opening_payload
from counter_app.domain.event_delivery import EventDelivery
from counter_app.domain.intake import IntakeForm
from counter_app.domain.stored_events import replay_stored
from counter_app.storage.models import (
    DELIVERY_STATE,
    DossierPaperRow,
    DossierRow,
    EventOutboxRow,
    EventRow,
    SequenceRow,
)

AGENCY = "000.17.22.H56"
DOSSIERS = 3_000


class FixedClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


NOW = datetime(2026, 3, 12, 10, 0, tzinfo=VN_TZ)  # a Thursday; the demo fills the working days before it


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "counter.db"
    services = build_services(path, FixedClock(NOW))
    services.setup.init_local(agency_code=AGENCY, agency_name="Trung tâm Phục vụ hành chính công phường Thử", counter=1)
    assert services.demo.generate(DOSSIERS, seed=7) == DOSSIERS
    services.close()
    return path


@pytest.fixture
def services(demo_db: Path, tmp_path: Path) -> Iterator[Services]:
    """A copy of the demo database (and its audit key), so each test may add to it."""
    copy = tmp_path / "counter.db"
    copy.write_bytes(demo_db.read_bytes())
    keys = demo_db.parent / "audit-keys"
    if keys.is_dir():
        (tmp_path / "audit-keys").mkdir()
        for key in keys.iterdir():
            (tmp_path / "audit-keys" / key.name).write_bytes(key.read_bytes())
            (tmp_path / "audit-keys" / key.name).chmod(0o600)
    opened = build_services(copy, FixedClock(NOW))
    yield opened
    opened.close()


def test_every_dossier_has_its_rows_events_and_a_pending_outbox(services: Services) -> None:
    with services.context.uow() as uow:
        session = uow.session
        dossiers = session.scalar(select(func.count()).select_from(DossierRow))
        accepted = session.scalar(select(func.count()).where(EventRow.kind == "dossier.accepted"))
        events = session.scalar(select(func.count()).select_from(EventRow))
        event_sum = session.scalar(select(func.sum(DossierRow.event_count)))
        papers = session.scalar(select(func.count()).select_from(DossierPaperRow))
        not_pending = session.scalar(select(func.count()).where(DELIVERY_STATE != EventDelivery.PENDING))
        outbox = session.scalar(select(func.count()).select_from(EventOutboxRow))
        seqs = session.execute(select(EventRow.seq).order_by(EventRow.seq)).scalars().all()
        latest = session.scalar(select(func.max(DossierRow.received_at)))

    assert dossiers == accepted == DOSSIERS
    assert events == event_sum > DOSSIERS  # older dossiers went on: transferred, result back, handed over
    assert papers >= DOSSIERS
    assert not_pending == 0 and outbox == events  # every event waits in the outbox, as after a real intake
    assert seqs == list(range(1, events + 1))  # the counter's log is gap-free
    assert latest is not None and latest.date() < NOW.date()  # only the days before today


def test_audit_verify_passes_on_the_command_line(services: Services) -> None:
    services.close()
    db = services.context.database.path
    result = subprocess.run(
        [sys.executable, "-m", "counter_app", "--db", str(db), "audit", "verify", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["checked"] > DOSSIERS


def test_replaying_each_sampled_dossier_gives_its_stored_state(services: Services) -> None:
    with services.context.uow() as uow:
        uuids = list(uow.session.scalars(select(DossierRow.uuid)))
        sample = random.Random(3).sample(uuids, 150)
        for uuid in sample:
            stored = uow.dossiers.get(uuid)
            events = [(e.kind, e.payload, e.occurred_at) for e in uow.events.for_dossier(uuid)]
            assert stored is not None
            assert replay_stored(events) == stored
            # the opening payload is the normal path's encoding of the dossier
            first = uow.events.for_dossier(uuid)[0]
            assert first.payload == json.dumps(
                opening_payload(replay_stored(events[:1])), ensure_ascii=False, sort_keys=True
            )


def test_an_intake_on_a_demo_day_takes_the_next_numbers(services: Services) -> None:
    with services.context.uow() as uow:
        last = uow.session.execute(
            select(DossierRow.code, DossierRow.received_at, DossierRow.field, DossierRow.book_index)
            .order_by(DossierRow.received_at.desc(), DossierRow.code.desc())
            .limit(1)
        ).one()
        day = last.received_at.date()
        day_last = uow.session.scalar(
            select(func.max(DossierRow.code)).where(DossierRow.code.startswith(f"{AGENCY}-{day:%y%m%d}-"))
        )
        field_book = uow.session.scalar(
            select(func.max(DossierRow.book_index)).where(
                DossierRow.field == "Hộ tịch", DossierRow.received_at >= datetime(day.year, 1, 1, tzinfo=VN_TZ)
            )
        )
    received = datetime.combine(day, datetime.min.time(), tzinfo=VN_TZ) + timedelta(hours=16, minutes=59)
    form = IntakeForm(
        procedure_code="DEMO.XNHN", name="Nguyễn Văn Kiểm", identifier="079090001234", received_at=received
    )

    result = services.intake.accept(form)

    assert result.code is not None
    assert DossierCode.parse(result.code).number == DossierCode.parse(day_last).number + 1
    stored = services.dossiers.get_state(result.code)
    assert stored.book_index == field_book + 1  # the tracking book goes on after the demo's entries too
    today = services.intake.accept(
        IntakeForm(procedure_code="DEMO.XNHN", name="Trần Thị Mai", identifier="079190001235")
    )
    assert today.code == f"{AGENCY}-{NOW:%y%m%d}-1001"
    assert services.audit.verify(central=False).ok


def test_a_second_demo_run_continues_the_numbering_and_the_chain(services: Services) -> None:
    with services.context.uow() as uow:
        before = uow.dossiers.count()
        sequences = dict(uow.session.execute(select(SequenceRow.scope, SequenceRow.last)).tuples().all())

    assert services.demo.generate(500, seed=8) == 500

    with services.context.uow() as uow:
        assert uow.dossiers.count() == before + 500
        after = dict(uow.session.execute(select(SequenceRow.scope, SequenceRow.last)).tuples().all())
        duplicates = uow.session.scalar(
            select(func.count()).select_from(
                select(DossierRow.book_index, DossierRow.field)
                .where(DossierRow.book_index > 0)
                .group_by(DossierRow.book_index, DossierRow.field, func.substr(DossierRow.received_at, 1, 4))
                .having(func.count() > 1)
                .subquery()
            )
        )
    assert all(after[scope] >= last for scope, last in sequences.items())
    assert duplicates == 0
    assert services.audit.verify(central=False).ok


def test_each_appointment_is_the_one_the_desk_would_have_given(services: Services) -> None:
    with services.context.uow() as uow:
        uuids = list(uow.session.scalars(select(DossierRow.uuid)))
        states = [uow.dossiers.get(uuid) for uuid in random.Random(5).sample(uuids, 400)]

    same_day = 0
    for state in states:
        assert state is not None and state.due_at is not None
        appointment = services.calendar.appointment(state.received_at, state.processing_days, state.same_day_cutoff)
        assert (state.due_at, state.calendar_version) == (appointment.due, appointment.calendar_version)
        same_day += state.same_day_cutoff is not None
    assert same_day > 0  # same-day procedures, remembered per side of their cut-off, are among them


def test_identities_are_version_7_stamped_on_their_day_in_the_counters_order(services: Services) -> None:
    """Like new_uuid's on a real intake: time-ordered keys, so the indexes keyed by them grow at their end."""
    with services.context.uow() as uow:
        events = uow.session.execute(select(EventRow.uuid, EventRow.dossier_uuid).order_by(EventRow.seq)).all()
        received = dict(uow.session.execute(select(DossierRow.uuid, DossierRow.received_at)).all())

    ids = [uuid.UUID(u) for u, _d in events]
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)  # in the counter's own order, the order a push sends them in
    for dossier_uuid, at in received.items():
        stamp = datetime.fromtimestamp((uuid.UUID(dossier_uuid).int >> 80) / 1000, VN_TZ)
        assert stamp.date() == at.date()  # stamped on the day the dossier was received
