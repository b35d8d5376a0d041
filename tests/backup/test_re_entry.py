"""Re-entry from "Liên 1" after a restore (issue 19, "No reissue, ever"), in process.

The drill: intakes, a backup, more intakes printed and not synced, the older backup restored; the codes the
restore reports (or, with the disk lost, the codes on the paper copies) are re-entered by a supervisor under their
printed code and time. The next citizen still gets a new code, and nothing is entered twice.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from counter_app.bootstrap import Services, build_maintenance, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.intake import IntakeForm
from counter_app.domain.number_scopes import dossier_scope
from counter_app.errors import FormInvalid, PermissionDenied
from counter_app.services.maintenance import backup_keys

AGENCY = "000.17.22.H56"
KEY = bytes(range(32))
DAY = "2026-03-02"  # a Monday
REASON = "Mất dữ liệu sau khi phục hồi bản sao lưu; nhập lại từ liên lưu"
PASSWORDS = {"quantri": "mat-khau-quan-tri", "canbo": "mat-khau-can-bo", "giamsat": "mat-khau-giam-sat"}


class SetClock:
    def __init__(self, start: str) -> None:
        self.moment = at(start)

    def now(self) -> datetime:
        return self.moment

    def set(self, text: str) -> None:
        self.moment = at(text)


def at(hour: str, day: str = DAY) -> datetime:
    return datetime.fromisoformat(f"{day} {hour}").replace(tzinfo=VN_TZ)


@dataclass(frozen=True)
class Printed:
    """What the "Liên 1" copy of a dossier shows."""

    code: str
    received: datetime
    due: datetime | None
    form: IntakeForm
    receipt: str = ""  # the receipt number printed, when its receipt was printed


@dataclass
class Drill:
    db: Path
    clock: SetClock
    kept: list[Printed]
    lost: list[Printed]
    missing_codes: tuple[str, ...]


@pytest.fixture(autouse=True)
def fixed_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyring's backup key, without a keyring."""
    monkeypatch.setattr(backup_keys, "key_for_backup", lambda _name: KEY)
    monkeypatch.setattr(backup_keys, "stored_key", lambda _name: KEY)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("template") / "counter.db"
    services = build_services(db, SetClock("07:30"))
    services.setup.init_local(agency_code=AGENCY, agency_name="UBND phường Bến Thành", counter=1)
    services.close()
    return db


def form_of(n: int) -> IntakeForm:
    return IntakeForm(
        procedure_code="DEMO.XNHN",
        name=f"Nguyễn Văn {chr(65 + n)}",
        identifier=f"0790900{n:05d}",
        address=f"{n} Lê Lợi, phường Bến Thành",
    )


def take_in(services: Services, clock: SetClock, n: int, hour: str, *, print_receipt: bool = False) -> Printed:
    clock.set(hour)
    form = form_of(n)
    result = services.intake.accept(form)
    assert result.code is not None
    receipt = services.documents.render(result.code, "receipt").number if print_receipt else ""
    return Printed(result.code, clock.now(), result.due, form, receipt)


@contextlib.contextmanager
def opened(drill: Drill, hour: str) -> Iterator[Services]:
    drill.clock.set(hour)
    services = build_services(drill.db, drill.clock)
    try:
        yield services
    finally:
        services.close()


def run_drill(template: Path, folder: Path, *, disk_lost: bool, print_receipts: bool = False) -> Drill:
    """Two intakes, a backup, three more taken in (their receipts printed with `print_receipts`) and not synced,
    the older backup restored at 10:00."""
    folder.mkdir(parents=True)
    db = folder / "counter.db"
    shutil.copyfile(template, db)
    clock = SetClock("08:00")
    services = build_services(db, clock)
    kept = [take_in(services, clock, n, hour, print_receipt=print_receipts) for n, hour in ((0, "08:00"), (1, "08:15"))]
    backup = services.backup.create_backup(to_dir=folder / "backups").info.path
    lost = [
        take_in(services, clock, 2 + i, hour, print_receipt=print_receipts)
        for i, hour in enumerate(("09:00", "09:10", "09:20"))
    ]
    services.close()
    if disk_lost:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    clock.set("10:00")
    maintenance = build_maintenance(db, clock)
    try:
        result = maintenance.backup.restore(backup)
    finally:
        maintenance.close()
    return Drill(db, clock, kept, lost, result.missing_codes)


def opening_event(db: Path, code: str) -> tuple[dict[str, object], str]:
    """The payload and the clerk of the dossier's opening event."""
    with contextlib.closing(sqlite3.connect(db)) as connection:
        payload, clerk = connection.execute(
            "SELECT e.payload, e.clerk FROM event e JOIN dossier d ON d.uuid = e.dossier_uuid "
            "WHERE d.code = ? AND e.kind = 'dossier.accepted'",
            (code,),
        ).fetchone()
    return json.loads(payload), str(clerk)


def last_number(db: Path, scope: str) -> int:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        row = connection.execute("SELECT last FROM number_sequence WHERE scope = ?", (scope,)).fetchone()
    return int(row[0]) if row else 0


def refusal(call: object) -> dict[str, str]:
    assert callable(call)
    with pytest.raises(FormInvalid) as caught:
        call()
    return caught.value.errors


@pytest.mark.parametrize("disk_lost", [False, True], ids=["replaced-file-readable", "disk-lost"])
def test_a_lost_dossier_is_re_entered_under_its_printed_code_and_time(
    template: Path, tmp_path: Path, disk_lost: bool
) -> None:
    drill = run_drill(template, tmp_path / "desk", disk_lost=disk_lost)
    lost_codes = [p.code for p in drill.lost]
    if not disk_lost:  # the restore names the dossiers to re-enter; with the disk lost, only the paper does
        assert set(lost_codes) <= set(drill.missing_codes)
    scope = dossier_scope(AGENCY, 1, at("09:00").date())
    high_water = last_number(drill.db, scope)
    paper = drill.lost[1]
    with opened(drill, "10:30") as services:
        with pytest.raises(Exception, match="Không tìm thấy"):
            services.dossiers.get_dossier(paper.code)  # gone with the restore
        result = services.re_entry.re_enter(paper.form, paper.code, paper.received, REASON)
        assert result.code == paper.code
        assert result.due == paper.due  # the appointment computed from the printed time, as the copy shows
        view = services.dossiers.get_dossier(paper.code)
        assert view.applicant_name == paper.form.name
        assert view.received_at == paper.received
        assert last_number(drill.db, scope) == high_water  # no number taken, none moved back
        history = [e.details for e in services.dossiers.timeline(paper.code)]
        assert history == [f"Nhập lại từ liên lưu (tiếp nhận lúc 02/03/2026 09:10); lý do: {REASON}"]
        after = take_in(services, drill.clock, 9, "10:45")
    assert after.code not in {p.code for p in [*drill.kept, *drill.lost]}  # no reissue
    payload, _clerk = opening_event(drill.db, paper.code)
    assert payload["re_entry"] == {"reason": REASON}
    assert payload["received_at"] == paper.received.isoformat(timespec="seconds")


def test_what_cannot_be_re_entered_is_refused_at_its_field(template: Path, tmp_path: Path) -> None:
    drill = run_drill(template, tmp_path / "desk", disk_lost=False)
    paper = drill.lost[0]
    scope = dossier_scope(AGENCY, 1, at("09:00").date())
    with opened(drill, "10:30") as services:
        re_enter = services.re_entry.re_enter
        services.re_entry.re_enter(paper.form, paper.code, paper.received, REASON)
        again = refusal(lambda: re_enter(paper.form, paper.code, paper.received, REASON))
        assert "đã có" in again["code"]
        kept = drill.kept[0]  # restored with the backup: present, never re-entered
        assert "đã có" in refusal(lambda: re_enter(kept.form, kept.code, kept.received, REASON))["code"]
        never = f"{AGENCY}-260302-1{last_number(drill.db, scope) + 1:03d}"
        assert "chưa từng được cấp" in refusal(lambda: re_enter(paper.form, never, at("09:30"), REASON))["code"]
        tomorrow = f"{AGENCY}-260303-1001"
        future = refusal(lambda: re_enter(paper.form, tomorrow, at("09:30", "2026-03-03"), REASON))
        assert "tương lai" in future["received"]
        other_counter = f"{AGENCY}-260302-2001"
        assert (
            "không phải mã do quầy này cấp"
            in refusal(lambda: re_enter(paper.form, other_counter, at("09:05"), REASON))["code"]
        )
        other_agency = "000.17.22.H57-260302-1003"
        assert (
            "không phải mã do quầy này cấp"
            in refusal(lambda: re_enter(paper.form, other_agency, at("09:05"), REASON))["code"]
        )
        second = drill.lost[1]
        wrong_day = refusal(lambda: re_enter(second.form, second.code, at("09:10", "2026-03-01"), REASON))
        assert "không cùng ngày" in wrong_day["received"]
        assert "lý do" in refusal(lambda: re_enter(second.form, second.code, second.received, "  "))["reason"]
        assert "định dạng" in refusal(lambda: re_enter(second.form, "1003", second.received, REASON))["code"]
        assert services.dossiers.find(second.code) == []  # nothing recorded by the refusals


def test_only_a_supervisor_re_enters_and_is_recorded_as_the_clerk(template: Path, tmp_path: Path) -> None:
    drill = run_drill(template, tmp_path / "desk", disk_lost=False)
    paper = drill.lost[2]
    with opened(drill, "10:30") as services:
        services.accounts.add_user("quantri", "admin", PASSWORDS["quantri"])
        services.accounts.sign_in("quantri", PASSWORDS["quantri"])
        services.accounts.add_user("canbo", "clerk", PASSWORDS["canbo"], full_name="Phạm Cán Bộ")
        services.accounts.add_user("giamsat", "supervisor", PASSWORDS["giamsat"], full_name="Lê Giám Sát")
        services.accounts.sign_in("canbo", PASSWORDS["canbo"])
        with pytest.raises(PermissionDenied, match="lãnh đạo, giám sát"):
            services.re_entry.re_enter(paper.form, paper.code, paper.received, REASON)
        services.accounts.sign_in("giamsat", PASSWORDS["giamsat"])
        assert services.re_entry.re_enter(paper.form, paper.code, paper.received, REASON).code == paper.code
    _payload, clerk = opening_event(drill.db, paper.code)
    assert clerk == "giamsat"


def test_the_receipt_of_a_re_entered_dossier_says_so(template: Path, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed to read the receipt back")
    from printing.pdf_readback import pdf_text

    drill = run_drill(template, tmp_path / "desk", disk_lost=False)
    paper = drill.lost[0]
    with opened(drill, "10:30") as services:
        services.re_entry.re_enter(paper.form, paper.code, paper.received, REASON)
        fresh = take_in(services, drill.clock, 9, "10:40")
        re_entered = services.documents.render(paper.code, "receipt", tmp_path / "re-entered.pdf")
        ordinary = services.documents.render(fresh.code, "receipt", tmp_path / "fresh.pdf")
    text = pdf_text(re_entered.path)
    assert "NHẬP LẠI TỪ LIÊN LƯU ngày 02/03/2026" in text
    assert paper.code in text
    assert "Thời gian nhận hồ sơ: 09 giờ 00 phút" in text  # the printed time, not the re-entry's
    assert "NHẬP LẠI" not in pdf_text(ordinary.path)


@pytest.mark.parametrize("disk_lost", [False, True], ids=["replaced-file-readable", "disk-lost"])
def test_a_re_entered_dossier_keeps_the_receipt_number_printed_on_its_copy(
    template: Path, tmp_path: Path, disk_lost: bool
) -> None:
    drill = run_drill(template, tmp_path / "desk", disk_lost=disk_lost, print_receipts=True)
    paper, other = drill.lost[1], drill.lost[2]
    printed = {p.receipt for p in [*drill.kept, *drill.lost]}
    assert len(printed) == 5 and "" not in printed
    with opened(drill, "10:30") as services:
        re_enter = services.re_entry.re_enter
        # refused at its field: not a number as printed, another counter's or form's, never issued
        assert (
            "định dạng" in refusal(lambda: re_enter(paper.form, paper.code, paper.received, REASON, "1234"))["receipt"]
        )
        other_counter = "2" + paper.receipt[1:]
        assert (
            "quầy này"
            in refusal(lambda: re_enter(paper.form, paper.code, paper.received, REASON, other_counter))["receipt"]
        )
        slip_symbol = paper.receipt.split("/")[0] + "/PBS"
        assert (
            "quầy này"
            in refusal(lambda: re_enter(paper.form, paper.code, paper.received, REASON, slip_symbol))["receipt"]
        )
        never = paper.receipt.split("/")[0][:1] + "00999/" + paper.receipt.split("/")[1]
        assert (
            "chưa từng được cấp"
            in refusal(lambda: re_enter(paper.form, paper.code, paper.received, REASON, never))["receipt"]
        )
        kept_receipt = drill.kept[0].receipt  # still on a document of the restored file
        assert (
            "hồ sơ khác"
            in refusal(lambda: re_enter(paper.form, paper.code, paper.received, REASON, kept_receipt))["receipt"]
        )

        re_enter(paper.form, paper.code, paper.received, REASON, f" {paper.receipt.lower()} ")
        # another lost dossier cannot claim that number (the re-entry holds it before any print)
        assert (
            "hồ sơ khác"
            in refusal(lambda: re_enter(other.form, other.code, other.received, REASON, paper.receipt))["receipt"]
        )
        receipt = services.documents.render(paper.code, "receipt")
        assert receipt.number == paper.receipt and not receipt.reprint  # the citizen's copy and the archive agree
        after = take_in(services, drill.clock, 9, "10:45", print_receipt=True)
    assert after.receipt not in printed  # the next citizen's receipt number is a new one
    payload, _clerk = opening_event(drill.db, paper.code)
    assert payload["re_entry"] == {"reason": REASON, "receipt_number": paper.receipt}
