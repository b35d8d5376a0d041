"""A counter restored from a backup older than its last sync, syncing through the service: it takes back what it
recorded since the backup, numbers after it, and the central holds every event once (as test_own_history shows
for the direct sync)."""

from __future__ import annotations

from pathlib import Path

from sync_helpers import AGENCY_A, Central, MakeCounter, accept_many, central_events, local_events
from sync_service_support import SyncService
from test_own_history import central_links, dossiers, own_links, restore

from counter_app.bootstrap import Services
from counter_app.domain.codes import DossierCode
from counter_app.storage.sqlite_file import snapshot
from counter_app.sync.report import SyncReport


def _sync(counter: Services, service: SyncService, copy: int = 0) -> SyncReport:
    return counter.sync.sync_now(
        central_url=service.urls[copy],
        credential=service.credential(AGENCY_A, 1),
        ca_file=str(service.ca_file),
    )


def test_a_restored_counter_takes_back_its_events_through_the_service(
    service: SyncService, central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    a1 = make_counter(AGENCY_A, 1)
    accept_many(a1, 3)
    assert _sync(a1, service).complete
    accept_many(a1, 2, start=3)
    snapshot(a1.context.database.path, tmp_path / "backup.db")  # older than the next syncs
    later = accept_many(a1, 4, start=5)
    printed = a1.documents.render(later[0].code or "", "control")
    assert _sync(a1, service, copy=1).complete
    before = dossiers(a1)
    on_central = central_links(central)

    a1 = restore(a1, tmp_path / "backup.db")
    missing = on_central.keys() - own_links(a1).keys()
    assert missing
    report = _sync(a1, service)

    assert report.complete and report.pulled == len(missing)
    assert own_links(a1) == on_central
    assert dossiers(a1) == before
    assert a1.sync.pending_count() == 0
    fresh = accept_many(a1, 1, start=9)[0]  # numbered after what was printed since the backup
    numbers = [DossierCode.parse(code).number for code in before]
    assert DossierCode.parse(fresh.code or "").number == max(numbers) + 1
    assert a1.documents.render(fresh.code or "", "control").number > printed.number
    assert _sync(a1, service, copy=1).complete
    assert central.count("SELECT count(*) - count(DISTINCT uuid) FROM central.event") == 0
    assert central_events(central).keys() == local_events(a1).keys()
