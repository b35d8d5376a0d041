"""The hold on a restored database (storage.restore_hold): put on a closed file only when the counter syncs with a
central, refusing every event of the counter while it is there and a central is configured, lifted by a sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from counter_app.bootstrap import Services, build_services
from counter_app.identities import new_uuid
from counter_app.services.common.clock import SystemClock
from counter_app.storage import restore_hold
from counter_app.storage.models import EventRow
from counter_app.storage.restore_hold import HeldAfterRestore
from counter_app.storage.sqlite_file import snapshot

AGENCY = "000.17.22.H56"
CENTRAL = "https://dongbo.example.vn:8443"  # the city's sync service


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = build_services(tmp_path / "counter.db", SystemClock())
    services.setup.init_local(agency_code=AGENCY, agency_name="UBND phường Bến Thành", counter=1)
    yield services
    services.close()


def record(services: Services, kind: str) -> None:
    """One event of the counter, through the event repository every service writes with."""
    with services.context.uow(write=True) as uow:
        uow.events.append(
            uuid=str(new_uuid()),
            kind=kind,
            dossier_uuid=None,
            payload={"note": kind},
            occurred_at=services.context.clock.now(),
            agency_code=AGENCY,
            counter=1,
            clerk="",
        )
        uow.commit()


def events(services: Services) -> int:
    with services.context.uow() as uow:
        return len(uow.session.scalars(select(EventRow.uuid)).all())


def held(services: Services) -> bool:
    with services.context.uow() as uow:
        return restore_hold.is_held(uow.session)


def test_a_counter_without_a_central_is_not_held(services: Services, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    snapshot(services.context.database.path, copy)
    assert restore_hold.mark_file(copy, "2026-11-24T17:30:00+07:00") is False


def test_a_held_database_writes_no_event_until_the_hold_is_lifted(services: Services, tmp_path: Path) -> None:
    services.setup.set_setting("central_url", CENTRAL)
    copy = tmp_path / "copy.db"
    snapshot(services.context.database.path, copy)
    assert restore_hold.mark_file(copy, "2026-11-24T17:30:00+07:00") is True
    services.close()
    restored = build_services(copy, SystemClock())
    try:
        assert held(restored)
        before = events(restored)
        with pytest.raises(HeldAfterRestore, match="24/11/2026 17:30"):
            record(restored, "report.exported")  # any event: it would take a place the central's chain holds
        assert events(restored) == before
        with restored.context.uow(write=True) as uow:
            assert restore_hold.lift(uow.session)
            uow.commit()
        assert not held(restored)
        record(restored, "report.exported")
        restored.setup.set_setting("central_url", "")  # a counter that stops syncing is not held either
        with restored.context.uow(write=True) as uow:
            uow.settings.put(restore_hold.RESTORED_KEY, "2026-11-24T17:30:00+07:00")
            uow.commit()
        record(restored, "report.exported")
        assert events(restored) == before + 2
    finally:
        restored.close()
