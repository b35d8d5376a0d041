"""The local SQLite file: durable settings on every connection, commits that survive, a gap-free event log, and a
dossier projection that always equals the fold of its events."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy.exc
from sqlalchemy import select

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.dossier import DossierState, replay
from counter_app.domain.intake import IntakeForm
from counter_app.storage.models import EventRow
from counter_app.storage.repositories.documents import PrintedDocument

ROOT = Path(__file__).resolve().parents[2]
AGENCY = "000.17.22.H56"
PERSON_ID = "079090001234"  # Ho Chi Minh City, a man born in 1990


class StepClock:
    """A clock the test moves; microseconds on purpose, the database keeps whole seconds."""

    def __init__(self, start: str) -> None:
        self.set(start)

    def set(self, text: str) -> None:
        base = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=VN_TZ)
        self.moment = base + timedelta(seconds=7, microseconds=654_321)

    def now(self) -> datetime:
        return self.moment


def open_counter(path: Path, clock: StepClock) -> Services:
    services = build_services(path, clock)
    services.setup.init_local(agency_code=AGENCY, agency_name="Trung tâm Phục vụ hành chính công phường Thử", counter=1)
    return services


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "c.db"
    open_counter(path, StepClock("2026-03-02 07:30")).close()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    shutil.copy(template, tmp_path / "c.db")
    return tmp_path / "c.db"


@pytest.fixture
def clock() -> StepClock:
    return StepClock("2026-03-02 10:00")


@pytest.fixture
def services(db: Path, clock: StepClock) -> Iterator[Services]:
    opened = build_services(db, clock)
    yield opened
    opened.close()


def form(name: str = "Nguyễn Văn An") -> IntakeForm:
    return IntakeForm(procedure_code="DEMO.XNHN", name=name, identifier=PERSON_ID, phone="0903123456")


def test_every_connection_is_wal_with_foreign_keys_and_full_sync(services: Services) -> None:
    database = services.context.database
    for engine in (database.writer, database.reader):
        with engine.connect() as connection:
            values = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
            }
        assert str(values["journal_mode"]).lower() == "wal"
        assert values["foreign_keys"] == 1
        assert int(str(values["busy_timeout"])) > 0
        if engine is database.writer:
            assert values["synchronous"] == 2  # FULL: a receipt is printed only after a durable commit


def test_foreign_keys_are_enforced(services: Services, clock: StepClock) -> None:
    with services.context.uow(write=True) as uow:
        uow.documents.add(
            PrintedDocument(
                uuid="00000000-0000-4000-8000-000000000001",
                dossier_uuid="no-such-dossier",
                kind="receipt",
                number="100001/TTPVHCC",
                number_key="k",
                created_at=clock.now(),
            )
        )
        with pytest.raises(sqlalchemy.exc.IntegrityError):
            uow.commit()


def test_an_accepted_dossier_survives_closing_and_reopening(db: Path, clock: StepClock) -> None:
    first = build_services(db, clock)
    taken = first.intake.accept(form())
    before = first.dossiers.get_state(taken.uuid)
    first.close()
    again = build_services(db, StepClock("2026-03-03 08:00"))
    try:
        after = again.dossiers.get_state(taken.code or "")
    finally:
        again.close()
    assert after == before
    assert after.code == f"{AGENCY}-260302-1001"


def test_a_commit_survives_a_process_that_dies_right_after_it(db: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os, sys
        from datetime import datetime
        from pathlib import Path
        from counter_app.bootstrap import build_services
        from counter_app.domain.clock import VN_TZ
        from counter_app.domain.intake import IntakeForm

        class Clock:
            def now(self):
                return datetime(2026, 3, 2, 10, 0, tzinfo=VN_TZ)

        services = build_services(Path(sys.argv[1]), Clock())
        result = services.intake.accept(IntakeForm("DEMO.XNHN", "Trần Thị Bình", "{PERSON_ID}"))
        print(result.code, flush=True)
        os._exit(0)  # no close, no checkpoint: as if the power went off after the commit
        """
    )
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-c", script, str(db)], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert Path(f"{db}-wal").exists()  # the commit is in the log, not yet in the main file
    reopened = build_services(db, StepClock("2026-03-02 10:05"))
    try:
        found = reopened.dossiers.find("Trần Thị Bình")
    finally:
        reopened.close()
    assert [v.code for v in found] == [proc.stdout.strip()] == [f"{AGENCY}-260302-1001"]


def event_seqs(services: Services) -> list[int]:
    with services.context.uow() as uow:
        return list(
            uow.session.scalars(
                select(EventRow.seq).where(EventRow.agency_code == AGENCY, EventRow.counter == 1).order_by(EventRow.seq)
            ).all()
        )


def test_two_processes_writing_at_once_keep_codes_unique_and_the_event_log_gap_free(db: Path) -> None:
    per_process = 40
    script = textwrap.dedent(
        f"""
        import sys
        from datetime import datetime
        from pathlib import Path
        from counter_app.bootstrap import build_services
        from counter_app.domain.clock import VN_TZ
        from counter_app.domain.intake import IntakeForm

        class Clock:
            def now(self):
                return datetime(2026, 3, 2, 10, 0, tzinfo=VN_TZ)

        services = build_services(Path(sys.argv[1]), Clock())
        for _ in range({per_process}):
            print(services.intake.accept(IntakeForm("DEMO.XNHN", "Lê Văn Cường", "{PERSON_ID}")).code, flush=True)
        services.close()
        """
    )
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        for _ in range(2)
    ]
    codes = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        codes += out.split()
    assert sorted(codes) == [f"{AGENCY}-260302-{1000 + n}" for n in range(1, 2 * per_process + 1)]
    services = build_services(db, StepClock("2026-03-02 11:00"))
    try:
        services.dossiers.transfer(codes[0])
        assert event_seqs(services) == list(range(1, 2 * per_process + 2))
    finally:
        services.close()


def test_the_projection_equals_the_replay_of_the_events(services: Services, clock: StepClock) -> None:
    taken = services.intake.accept(form())
    code = taken.code or ""
    steps: list[tuple[str, Callable[[], object]]] = [
        ("2026-03-02 10:30", lambda: services.dossiers.correct(code, {"applicant_phone": "0912345678"}, "Gõ nhầm")),
        ("2026-03-02 14:00", lambda: services.dossiers.transfer(code)),
        ("2026-03-03 09:00", lambda: services.dossiers.request_supplement(code, "Thiếu giấy xác nhận cư trú")),
        ("2026-03-05 10:00", lambda: services.dossiers.receive_supplement(code)),
        ("2026-03-06 09:00", lambda: services.dossiers.request_payment(code, 50000)),
        ("2026-03-06 10:00", lambda: services.dossiers.receive_payment(code)),
        (
            "2026-03-06 11:00",
            lambda: services.late.reappoint(code, reason="Cần xác minh thêm", new_date=date(2026, 3, 12)),
        ),
        ("2026-03-11 15:00", lambda: services.dossiers.result_ready(code)),
        ("2026-03-12 08:00", lambda: services.dossiers.hand_over(code, rating=5, like=True, fee_collected=True)),
    ]
    for moment, step in steps:
        clock.set(moment)
        step()
    with services.context.uow() as uow:
        stored = uow.dossiers.get(taken.uuid)
        rows = uow.events.for_dossier(taken.uuid)
        replayed = replay((r.kind, json.loads(r.payload), r.occurred_at) for r in rows)
    assert stored is not None
    assert replayed is not None
    assert [r.kind for r in rows] == [
        "dossier.accepted",
        "dossier.corrected",
        "dossier.transferred",
        "dossier.supplement_requested",
        "dossier.supplement_received",
        "dossier.payment_requested",
        "dossier.payment_received",
        "dossier.reappointed",
        "dossier.result_ready",
        "dossier.handed_over",
    ]
    differences = {
        f.name: (getattr(stored, f.name), getattr(replayed, f.name))
        for f in dataclasses.fields(DossierState)
        if getattr(stored, f.name) != getattr(replayed, f.name)
    }
    assert differences == {}
    # and the fold says what happened (domain.md §5, §6)
    assert (stored.status, stored.applicant_phone, stored.reappointed, stored.fee_paid) == (
        10,
        "0912345678",
        True,
        True,
    )
    assert stored.event_count == len(rows) == 10
    assert stored.due_at == datetime(2026, 3, 12, 17, 0, tzinfo=VN_TZ)
    # paused Tue 03/3 -> Thu 05/3 moved Thu 05/3 17:00 by 2 working days before the apology
    assert stored.original_due_at == datetime(2026, 3, 9, 17, 0, tzinfo=VN_TZ)
    assert event_seqs(services) == list(range(1, len(rows) + 1))
