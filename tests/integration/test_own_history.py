"""A counter whose database is restored from a backup older than its last sync (sync.own_history), against a real
PostgreSQL: the next sync takes back from the central the events recorded since the backup, and the counter goes
on numbering after them; work done after the restore and before a sync is refused as a fork, nothing lost.

The restore is what BackupService.restore leaves behind: the database file as it was when the backup was taken
(a consistent copy by SQLite's backup API, storage.sqlite_file.snapshot), in place of the live one.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sync_helpers import AGENCY_A, Central, MakeCounter, accept_many, central_events, local_events, sync

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.codes import DossierCode
from counter_app.errors import RuleError
from counter_app.services.common.clock import DrillClock
from counter_app.storage.models import DossierRow, EventRow
from counter_app.storage.restore_hold import HeldAfterRestore
from counter_app.storage.sqlite_file import snapshot

PASSPHRASE = "Mật khẩu sao lưu phường Bến Thành"
# Dossier numbers are per day (domain.md §4): these tests compare the numbers given before and after a restore, so
# they run on a drill clock from Monday 02/03/2026 09:00, never across a midnight of the real clock.
DRILL_START = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)


def restore(services: Services, backup: Path) -> Services:
    """Close the counter's services, put the backup in place of its database, open it again."""
    db = services.context.database.path
    services.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, db)
    return build_services(db, services.context.clock)


def own_links(services: Services) -> dict[str, tuple[int, str]]:
    """uuid -> (seq, hash) of counter 1's events held locally."""
    with services.context.uow() as uow:
        rows = uow.session.execute(
            select(EventRow.uuid, EventRow.seq, EventRow.hash).where(EventRow.counter == 1)
        ).all()
    return {u: (s, h) for u, s, h in rows}


def central_links(central: Central) -> dict[str, tuple[int, str]]:
    with central.admin() as conn:
        rows = conn.execute("SELECT uuid::text, seq, hash FROM central.event WHERE counter = 1").fetchall()
    return {str(u): (int(str(s)), str(h)) for u, s, h in rows}


def dossiers(services: Services) -> dict[str, tuple[str | None, int]]:
    """code -> (field, book index) of the local dossiers."""
    with services.context.uow() as uow:
        rows = uow.session.execute(select(DossierRow.code, DossierRow.field, DossierRow.book_index)).all()
    return {str(c): (f, int(b)) for c, f, b in rows if c}


def backed_up(central: Central, make_counter: MakeCounter, folder: Path, synced: int, unsent: int) -> Services:
    """Counter A1 with `synced` dossiers on the central and `unsent` more, its database copied to folder/backup.db
    then synced: the backup is older than the last sync."""
    a1 = make_counter(AGENCY_A, 1, clock=DrillClock(DRILL_START))
    accept_many(a1, synced)
    sync(a1, central, AGENCY_A, 1)
    accept_many(a1, unsent, start=synced)
    snapshot(a1.context.database.path, folder / "backup.db")
    sync(a1, central, AGENCY_A, 1)
    return a1


def test_a_restored_counter_takes_back_its_events_and_numbers_after_them(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    a1 = backed_up(central, make_counter, tmp_path, synced=3, unsent=2)  # the two reach the central after the backup
    backup = tmp_path / "backup.db"
    later = accept_many(a1, 4, start=5)
    printed = a1.documents.render(later[0].code or "", "control")
    assert sync(a1, central, AGENCY_A, 1).complete
    before = dossiers(a1)
    on_central = central_links(central)

    a1 = restore(a1, backup)
    assert len(dossiers(a1)) == 5 and a1.sync.pending_count() > 0  # the backup's view: two dossiers unsent
    missing = on_central.keys() - own_links(a1).keys()
    assert missing  # the four dossiers and the printed document recorded after the backup
    report = sync(a1, central, AGENCY_A, 1)

    assert report.complete and report.pulled == len(missing) and report.pushed == 0
    assert own_links(a1) == on_central  # every event back, with its place in the chain and its hash
    assert dossiers(a1) == before
    assert a1.sync.pending_count() == 0
    assert a1.audit.verify(central=False).ok  # the chain links up again under the counter's own key
    assert {s for _k, _p, _c, s in local_events(a1).values()} == {1}  # all delivered

    # the next numbers come after those used since the backup: nothing printed twice
    fresh = accept_many(a1, 1, start=9)[0]
    numbers = [DossierCode.parse(code).number for code in before]
    assert fresh.code not in before and DossierCode.parse(fresh.code or "").number == max(numbers) + 1
    field, index = dossiers(a1)[fresh.code or ""]
    assert index > max(i for f, i in before.values() if f == field)
    again = a1.documents.render(fresh.code or "", "control")
    assert again.number != printed.number and again.number > printed.number
    assert sync(a1, central, AGENCY_A, 1).complete
    assert central.count("SELECT count(*) - count(DISTINCT uuid) FROM central.event") == 0
    assert central_events(central).keys() == local_events(a1).keys()


def test_work_done_after_a_restore_before_a_sync_is_refused_and_kept(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    a1 = backed_up(central, make_counter, tmp_path, synced=2, unsent=0)
    backup = tmp_path / "backup.db"
    accept_many(a1, 2, start=2)
    sync(a1, central, AGENCY_A, 1)
    on_central = central_links(central)

    a1 = restore(a1, backup)
    accept_many(a1, 1, start=10)  # taken in offline before any sync: its links collide with the central's
    held = local_events(a1)
    with pytest.raises(RuleError, match="phục hồi từ một bản sao lưu cũ"):
        sync(a1, central, AGENCY_A, 1)
    assert local_events(a1) == held  # nothing taken back, nothing lost
    assert central_links(central) == on_central  # nothing stored on the central


def test_a_database_restored_by_the_backup_service_writes_nothing_until_it_has_synced(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    clock = DrillClock(DRILL_START)
    a1 = make_counter(AGENCY_A, 1, clock=clock)
    a1.setup.set_setting("central_url", central.service_url())
    accept_many(a1, 2)
    sync(a1, central, AGENCY_A, 1)
    made = a1.backup.create_backup(to_dir=tmp_path / "backups", passphrase=PASSPHRASE)
    accept_many(a1, 3, start=2)
    sync(a1, central, AGENCY_A, 1)

    assert a1.backup.restore(made.info.path, passphrase=PASSPHRASE).on_hold
    db = a1.context.database.path
    a1.close()
    a1 = build_services(db, clock)
    held = local_events(a1)
    with pytest.raises(HeldAfterRestore, match="phục hồi từ bản sao lưu"):
        accept_many(a1, 1, start=10)  # its code would be one already printed after the backup
    assert local_events(a1) == held  # nothing written

    report = sync(a1, central, AGENCY_A, 1)
    assert report.complete and report.pulled == len(central_links(central).keys() - held.keys()) > 0
    fresh = accept_many(a1, 1, start=10)[0]  # released: numbered after the five dossiers
    assert DossierCode.parse(fresh.code or "").number == 6
    assert sync(a1, central, AGENCY_A, 1).complete
    assert central.count("SELECT count(*) FROM central.dossier") == 6
