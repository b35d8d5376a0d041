"""Helpers of the security tests: a clock moved by seconds, a cheap but real Argon2 hasher, staffed installations."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.intake import IntakeForm

AGENCY = "000.17.22.H56"
AGENCY_NAME = "Trung tâm Phục vụ hành chính công phường Thử Nghiệm"
BIRTH_REGISTRATION = "1.001193"  # Đăng ký khai sinh (demo catalogue): same day
MARRIAGE = "DEMO.KH"  # Đăng ký kết hôn (demo catalogue): 5 working days
# 079 = Ho Chi Minh City, 0 = man born in the 1900s, 90 = 1990 (a valid 12-digit personal identifier)
PERSON_ID = "079090001234"
PERSON_NAME = "Trần Thị Bích Ngọc"
PERSON_PHONE = "0903123456"
PASSWORDS = {"quantri": "mat-khau-quan-tri", "lanhdao": "mat-khau-lanh-dao", "canbo": "mat-khau-can-bo"}
ROLES = {"quantri": "admin", "lanhdao": "supervisor", "canbo": "clerk"}


def fast_hasher() -> PasswordHasher:
    """Argon2id with small costs: the real algorithm, a millisecond per hash instead of half a second."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class StepClock:
    """The services' clock, moved by the test to the second."""

    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)  # a Monday, a working day

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


def open_counter(db: Path, clock: StepClock, hasher: PasswordHasher | None = None) -> Services:
    """Services over `db`, set up as counter 1 of AGENCY, with an account service on a cheap hasher."""
    services = build_services(db, clock, hasher=hasher or fast_hasher())
    if not services.context.settings().is_configured:
        services.setup.init_local(agency_code=AGENCY, agency_name=AGENCY_NAME, counter=1)
    return services


def staff(services: Services) -> None:
    """The first administrator (no login needed yet), who then adds a supervisor and a clerk."""
    accounts = services.accounts
    accounts.add_user("quantri", "admin", PASSWORDS["quantri"], full_name="Lê Quản Trị")
    accounts.sign_in("quantri", PASSWORDS["quantri"])
    accounts.add_user("lanhdao", "supervisor", PASSWORDS["lanhdao"])
    accounts.add_user("canbo", "clerk", PASSWORDS["canbo"], full_name="Phạm Cán Bộ")
    accounts.sign_out()


def sign_in(services: Services, name: str) -> None:
    services.accounts.sign_in(name, PASSWORDS[name])


def person_form(procedure: str = MARRIAGE, **changes: Any) -> IntakeForm:
    values: dict[str, Any] = {
        "procedure_code": procedure,
        "name": PERSON_NAME,
        "identifier": PERSON_ID,
        "phone": PERSON_PHONE,
        "address": "12 Đường Lê Lợi, Phường Bến Thành",
    }
    values.update(changes)
    return IntakeForm(**values)


def event_rows(db: Path) -> list[sqlite3.Row]:
    """The event table as stored, in seq order of its counter."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return list(conn.execute("SELECT * FROM event ORDER BY agency_code, counter, seq"))
