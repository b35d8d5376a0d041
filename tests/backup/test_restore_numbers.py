"""After a restore no number already printed is issued again (issue 19 item 1; domain §10), in process.

The database a restore replaces is read for the last numbers and the events the backup lacks; when it is gone or
unreadable every scope of the counter skips ahead by a gap (domain.number_scopes.skip_ahead). The drill: intakes,
a backup, more intakes printed and not synced, the disk lost or damaged, restore, go on taking dossiers in.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from counter_app.bootstrap import Services, build_maintenance, build_services
from counter_app.domain.codes import Numbering
from counter_app.domain.intake import IntakeForm
from counter_app.domain.number_scopes import DAY_GAP, book_scope, document_scope, dossier_scope, skip_ahead
from counter_app.services.common.clock import SystemClock
from counter_app.services.maintenance import backup_keys
from counter_app.services.maintenance.backup_restore import RestoreResult
from counter_app.services.maintenance.restore_numbers import NUMBERS_GAP, NUMBERS_REPLACED

AGENCY = "000.17.22.H56"
KEY = bytes(range(32))
TRIALS = 20


@pytest.fixture(autouse=True)
def fixed_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyring's backup key, without a keyring."""
    monkeypatch.setattr(backup_keys, "key_for_backup", lambda _name: KEY)
    monkeypatch.setattr(backup_keys, "stored_key", lambda _name: KEY)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("template") / "counter.db"
    services = build_services(db, SystemClock())
    services.setup.init_local(agency_code=AGENCY, agency_name="UBND phường Bến Thành", counter=1)
    services.close()
    return db


def fresh(template: Path, folder: Path) -> Services:
    folder.mkdir(parents=True)
    shutil.copyfile(template, folder / "counter.db")
    return build_services(folder / "counter.db", SystemClock())


def take_in(services: Services, count: int, start: int) -> list[str]:
    codes = []
    for n in range(start, start + count):
        form = IntakeForm(
            procedure_code="DEMO.KH",
            name=f"Nguyễn Văn {chr(65 + n % 26)}",
            identifier=f"0790900{n:05d}",
            address=f"{n} Lê Lợi, phường Bến Thành",
        )
        codes.append(services.intake.accept(form).code or "")
    return codes


def book_lines(db: Path) -> dict[str, tuple[str, int]]:
    """code -> (field, book index) of the dossiers in a file."""
    with contextlib.closing(sqlite3.connect(db)) as connection:
        rows = connection.execute("SELECT code, field, book_index FROM dossier WHERE code IS NOT NULL").fetchall()
    return {str(c): (str(f), int(b)) for c, f, b in rows}


def damage(db: Path, how: str) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if how == "deleted":
        db.unlink()
    elif how == "truncated":
        with db.open("r+b") as handle:
            handle.truncate(db.stat().st_size // 3)
    elif how == "garbage":
        db.write_bytes(b"\xa5" * 8192)


def restore(db: Path, backup: Path, *, bring_back: bool = False) -> RestoreResult:
    maintenance = build_maintenance(db, SystemClock())
    try:
        return maintenance.backup.restore(backup, bring_back=bring_back)
    finally:
        maintenance.close()


def test_a_readable_replaced_database_gives_its_numbers_and_its_lost_dossiers(template: Path, tmp_path: Path) -> None:
    services = fresh(template, tmp_path / "desk")
    take_in(services, 2, 0)
    backup = services.backup.create_backup(to_dir=tmp_path / "backups").info.path
    lost = take_in(services, 3, 2)  # printed, never synced, not in the backup
    db = services.context.database.path
    services.close()

    result = restore(db, backup)
    assert result.numbers_from == NUMBERS_REPLACED
    assert result.numbers_raised >= 1
    assert result.missing_events >= 3
    assert set(lost) <= set(result.missing_codes)
    assert result.set_aside is not None and set(lost) <= set(book_lines(result.set_aside))

    services = build_services(db, SystemClock())
    try:
        after = take_in(services, 2, 5)
    finally:
        services.close()
    assert not set(after) & set(lost)  # the next citizen does not get a code already printed


def test_bring_back_returns_the_lost_dossiers_unsent(template: Path, tmp_path: Path) -> None:
    services = fresh(template, tmp_path / "desk")
    kept = take_in(services, 2, 0)
    backup = services.backup.create_backup(to_dir=tmp_path / "backups").info.path
    lost = take_in(services, 3, 2)
    db = services.context.database.path
    before = book_lines(db)
    services.close()

    result = restore(db, backup, bring_back=True)
    assert result.brought_back == result.missing_events >= 3
    assert result.re_entry_codes == ()
    assert book_lines(db) == before  # every dossier, with its code and book line, is back
    with contextlib.closing(sqlite3.connect(db)) as connection:
        pending = connection.execute("SELECT count(*) FROM event_outbox").fetchone()[0]
    assert pending >= 3  # still to be sent to the central
    services = build_services(db, SystemClock())
    try:
        after = take_in(services, 1, 5)
    finally:
        services.close()
    assert not set(after) & {*kept, *lost}


@pytest.mark.parametrize("how", ["deleted", "truncated", "garbage"])
def test_an_unreadable_replaced_database_skips_every_scope_ahead(template: Path, tmp_path: Path, how: str) -> None:
    services = fresh(template, tmp_path / "desk")
    take_in(services, 1, 0)
    backup = services.backup.create_backup(to_dir=tmp_path / "backups").info.path
    lost = book_lines(services.context.database.path) | dict.fromkeys(take_in(services, 3, 1), ("", 0))
    lost_lines = set(book_lines(services.context.database.path).values())
    db = services.context.database.path
    services.close()
    damage(db, how)

    result = restore(db, backup)
    assert result.numbers_from == NUMBERS_GAP
    assert "khoảng an toàn" in result.numbering_note  # said, in Vietnamese
    services = build_services(db, SystemClock())
    try:
        after = take_in(services, 2, 4)
    finally:
        services.close()
    assert not set(after) & set(lost)
    new_lines = {line for code, line in book_lines(db).items() if code in after}
    assert not new_lines & lost_lines


def test_skip_ahead_covers_days_and_yearly_scopes() -> None:
    last = {dossier_scope(AGENCY, 1, date(2026, 12, 30)): 70, document_scope(AGENCY, 1, "PBS", 2026): 4}
    days = [date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1)]
    raised = skip_ahead(
        last, agency_code=AGENCY, counter=1, days=days, fields=["Hộ tịch"], symbols=["TTPVHCC"], numbering=Numbering()
    )
    assert raised[dossier_scope(AGENCY, 1, date(2026, 12, 30))] == 140  # the busiest day known is the gap
    assert raised[dossier_scope(AGENCY, 1, date(2027, 1, 1))] == 70
    assert raised[document_scope(AGENCY, 1, "PBS", 2027)] == 2 * 70 * 3  # a symbol seen, in the new year too
    assert raised[book_scope(AGENCY, 1, "Hộ tịch", 2026)] == 2 * 70 * 3
    assert raised[document_scope(AGENCY, 1, "TTPVHCC", 2026)] == 420
    assert (
        skip_ahead({}, agency_code=AGENCY, counter=1, days=[days[0]], fields=[], symbols=[], numbering=Numbering())[
            dossier_scope(AGENCY, 1, days[0])
        ]
        == DAY_GAP
    )


def trials() -> Iterator[int]:
    yield from range(TRIALS)


def test_crash_and_restore_drill(template: Path, tmp_path: Path) -> None:
    """Seeded trials: no code and no book line printed twice; a readable replaced file loses no dossier."""
    for trial in trials():
        rng = random.Random(1900 + trial)
        services = fresh(template, tmp_path / f"trial-{trial}")
        db = services.context.database.path
        n = 0
        take_in(services, rng.randint(0, 3), n)
        n += 4
        backup = services.backup.create_backup(to_dir=tmp_path / f"backups-{trial}").info.path
        take_in(services, rng.randint(1, 4), n)
        n += 5
        printed = book_lines(db)
        services.close()
        how = rng.choice(["deleted", "truncated", "garbage", "intact"])
        damage(db, how)
        result = restore(db, backup, bring_back=rng.random() < 0.5)
        assert result.numbers_from == (NUMBERS_REPLACED if how == "intact" else NUMBERS_GAP), how
        services = build_services(db, SystemClock())
        try:
            after = take_in(services, rng.randint(1, 3), n)
        finally:
            services.close()
        now = book_lines(db)
        issued = [*printed, *(c for c in after if c not in printed)]
        assert len(issued) == len(set(issued)), (trial, how)
        assert not set(after) & set(printed), (trial, how)
        lines = [line for code, line in printed.items()] + [now[c] for c in after]
        assert len(lines) == len(set(lines)), (trial, how)
        if how == "intact":
            assert result.missing_events == 0 or result.brought_back or set(result.missing_codes)
            kept = set(now) | set(result.missing_codes) | set(book_lines(result.set_aside or db))
            assert set(printed) <= kept  # acknowledged dossiers are back or listed, their data kept
