"""A ward's March 2026 built by hand through the real services, every figure of its reports known in advance.

A's fee is 100.000 đồng, paid at intake; F's 20.000 is not paid.

Working days of March 2026 are Monday to Friday (no holiday; Giỗ Tổ is 27/4). Office hours 07:30-11:30 and
13:00-17:00; the appointment is 17:00 of the N-th working day after the day of receipt (domain.md §5).

| label | procedure (days) | received | due | then |
|---|---|---|---|---|
| X | DEMO.XNHN (3) | Fri 27/02 10:00 | Wed 04/03 17:00 | ready 03/03 10:00 (early); handed 03/03, 5, like |
| A | DEMO.HKD (3), fee paid | Mon 02/03 08:00 | Thu 05/03 17:00 | ready 04/03 10:00 (early); handed 04/03, 5, like |
| B | DEMO.XNHN (3) | Mon 02/03 09:00 | Thu 05/03 17:00 | ready 03/03 14:00 (early); handed 06/03 09:00, 4, like |
| C | DEMO.XNHN (3) | Tue 03/03 08:00 | Fri 06/03 17:00 | ready 06/03 16:00 (on time); handed 09/03, 2, dislike |
| D | DEMO.XNHN (3) | Tue 03/03 09:00 | Fri 06/03 17:00 | ready Mon 09/03 10:00 (late); handed 09/03, 3 |
| E | DEMO.XNHN (3) | Wed 04/03 08:00 | Mon 09/03 17:00 | withdrawn Thu 05/03 10:00 |
| F | TEST.CA (2), Công an phường | Wed 04/03 09:00 | Fri 06/03 17:00 | fee unpaid; ready only Thu 02/04 10:00 |
| G | DEMO.KH (5) | Thu 05/03 08:00 | Thu 12/03 17:00 | apology 11/03 09:00 by post, new date 18/03 17:00; open |
| H | DEMO.XNHN (3), online | Mon 09/03 08:00 | Thu 12/03 17:00 | supplement requested Tue 10/03 10:00; waiting |
| V | DEMO.XNHN (3) | Mon 09/03 09:00 | — | voided 09:30 (taken in by mistake) |
| R | refusal slip (Mẫu 03) | Thu 05/03 10:00 | | |
| S | supplement slip (Mẫu 02) | Thu 05/03 11:00 | | |
| Y | DEMO.XNHN (3) | Wed 01/04 08:00 | Mon 06/04 17:00 | open |
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.intake import IntakeForm

AGENCY = "000.17.22.H56"
AGENCY_NAME = "Trung tâm Phục vụ hành chính công phường Thử Nghiệm"
PARENT = "UBND PHƯỜNG THỬ NGHIỆM"
PERSON_ID = "079090001234"
CLERK = "Trần Thị Lập"
HEAD = "Nguyễn Văn Trưởng"
UBND = "Ủy ban nhân dân phường"
POLICE = "Công an phường"
CIVIL = "Hộ tịch"
BUSINESS = "Thành lập và hoạt động của hộ kinh doanh"
RESIDENCE = "Cư trú"
NOW = "2026-04-10 10:00"
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
APRIL = (date(2026, 4, 1), date(2026, 4, 30))
APOLOGY_REASON = "Chờ kết quả xác minh của cơ quan khác"
NAMES = {
    "X": "Lê Văn Xuân",
    "A": "Phạm Thị An",
    "B": "Trần Văn Bình",
    "C": "Ngô Thị Cúc",
    "D": "Đỗ Văn Dũng",
    "E": "Hồ Thị Em",
    "F": "Vũ Văn Phúc",
    "G": "Bùi Thị Giang",
    "H": "Đặng Văn Hải",
    "V": "Mai Văn Vĩnh",
    "Y": "Lý Thị Yến",
}
TEST_CATALOGUE = {
    "version": "test",
    "source": "test",
    "demo": True,
    "procedures": [
        {
            "code": "TEST.CA",
            "name": "Xác nhận thông tin cư trú (thử nghiệm)",
            "field": RESIDENCE,
            "deciding_agency": POLICE,
            "days": 2,
            "same_day_cutoff": None,
            "fee": 20000,
            "supplement_rule": "pause",
            "papers": [{"name": "Tờ khai", "originals": 1, "copies": 0}],
        }
    ],
}


def vn(text: str) -> datetime:
    """'YYYY-MM-DD HH:MM' as a Vietnamese moment."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=VN_TZ)


class SetClock:
    """A clock the test sets; the services read it for every event they record."""

    def __init__(self, start: str) -> None:
        self.moment = vn(start)

    def now(self) -> datetime:
        return self.moment

    def set(self, text: str) -> None:
        self.moment = vn(text)


@dataclass(frozen=True)
class Scenario:
    db: Path
    codes: dict[str, str]  # label -> dossier code
    letter: str  # number of G's apology letter

    def open(self, now: str = NOW) -> tuple[Services, SetClock]:
        clock = SetClock(now)
        return build_services(self.db, clock), clock

    def copy_to(self, folder: Path) -> Scenario:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / self.db.name
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.db}{suffix}")
            if source.exists():
                shutil.copy(source, f"{target}{suffix}")
        keys = self.db.parent / "audit-keys"  # the installation's audit key, where no keyring runs
        if keys.is_dir():
            shutil.copytree(keys, folder / "audit-keys", dirs_exist_ok=True)
        return Scenario(target, self.codes, self.letter)


def configured_services(folder: Path, start: str) -> tuple[Services, SetClock]:
    folder.mkdir(parents=True, exist_ok=True)
    clock = SetClock(start)
    services = build_services(folder / "c.db", clock)
    services.setup.init_local(agency_code=AGENCY, agency_name=AGENCY_NAME, counter=1, parent_authority=PARENT)
    services.setup.set_setting("clerk_name", CLERK)
    services.setup.set_setting("head_name", HEAD)
    catalogue = folder / "test-catalogue.json"
    catalogue.write_text(json.dumps(TEST_CATALOGUE, ensure_ascii=False), encoding="utf-8")
    services.catalogue.load_catalogue_file(catalogue)
    return services, clock


def accept(services: Services, clock: SetClock, label: str, procedure: str, received: str, **form: object) -> str:
    clock.set(received)
    result = services.intake.accept(
        IntakeForm(procedure_code=procedure, name=NAMES[label], identifier=PERSON_ID, received_at=vn(received), **form)
    )
    assert result.code is not None
    return result.code


def build_march(folder: Path) -> Scenario:
    services, clock = configured_services(folder, "2026-02-27 08:00")
    d = services.dossiers
    at = clock.set
    codes: dict[str, str] = {}
    try:
        codes["X"] = accept(services, clock, "X", "DEMO.XNHN", "2026-02-27 10:00")
        codes["A"] = accept(services, clock, "A", "DEMO.HKD", "2026-03-02 08:00", fee_paid=True)
        codes["B"] = accept(services, clock, "B", "DEMO.XNHN", "2026-03-02 09:00", phone="0901234567")
        at("2026-03-02 09:30")
        d.transfer(codes["A"])
        d.transfer(codes["B"])
        codes["C"] = accept(services, clock, "C", "DEMO.XNHN", "2026-03-03 08:00")
        codes["D"] = accept(services, clock, "D", "DEMO.XNHN", "2026-03-03 09:00")
        at("2026-03-03 09:30")
        for label in ("X", "C", "D"):
            d.transfer(codes[label])
        at("2026-03-03 10:00")
        d.result_ready(codes["X"])
        at("2026-03-03 14:00")
        d.result_ready(codes["B"])
        at("2026-03-03 15:00")
        d.hand_over(codes["X"], rating=5, like=True)
        codes["E"] = accept(services, clock, "E", "DEMO.XNHN", "2026-03-04 08:00")
        codes["F"] = accept(services, clock, "F", "TEST.CA", "2026-03-04 09:00")
        at("2026-03-04 10:00")
        d.result_ready(codes["A"])
        d.transfer(codes["F"])
        at("2026-03-04 15:00")
        d.hand_over(codes["A"], rating=5, like=True, fee_collected=True)
        codes["G"] = accept(services, clock, "G", "DEMO.KH", "2026-03-05 08:00")
        at("2026-03-05 09:00")
        d.transfer(codes["G"])
        at("2026-03-05 10:00")
        d.withdraw(codes["E"], "Công dân xin rút hồ sơ")
        services.intake.refuse(
            IntakeForm(
                procedure_code="DEMO.HKD",
                name="Phan Văn Rõ",
                identifier=PERSON_ID,
                reason="Ngành nghề kinh doanh bị cấm",
                received_at=vn("2026-03-05 10:00"),
            )
        )
        at("2026-03-05 11:00")
        services.intake.request_supplement(
            IntakeForm(
                procedure_code="DEMO.KH",
                name="Lâm Thị Sương",
                identifier=PERSON_ID,
                missing=("Giấy xác nhận tình trạng hôn nhân",),
                received_at=vn("2026-03-05 11:00"),
            )
        )
        at("2026-03-06 09:00")
        d.hand_over(codes["B"], rating=4, like=True)
        at("2026-03-06 16:00")
        d.result_ready(codes["C"])
        codes["H"] = accept(services, clock, "H", "DEMO.XNHN", "2026-03-09 08:00", channel=2)
        at("2026-03-09 08:00")
        d.hand_over(codes["C"], rating=2, like=False)
        codes["V"] = accept(services, clock, "V", "DEMO.XNHN", "2026-03-09 09:00")
        at("2026-03-09 09:30")
        d.void(codes["V"], "Tiếp nhận nhầm thủ tục")
        d.transfer(codes["H"])
        at("2026-03-09 10:00")
        d.result_ready(codes["D"])
        at("2026-03-09 11:00")
        d.hand_over(codes["D"], rating=3)
        at("2026-03-10 10:00")
        d.request_supplement(codes["H"], "Thiếu bản sao giấy khai sinh")
        at("2026-03-11 09:00")
        letter = services.late.reappoint(
            codes["G"], reason=APOLOGY_REASON, new_date=date(2026, 3, 18), delivered="post"
        ).letter_number
        codes["Y"] = accept(services, clock, "Y", "DEMO.XNHN", "2026-04-01 08:00")
        at("2026-04-02 10:00")
        d.result_ready(codes["F"])
    finally:
        services.close()
    return Scenario(folder / "c.db", codes, letter)
