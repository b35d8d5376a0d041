"""The repositories give services frozen records, never ORM rows, and the unit of work turns the database's errors
into a CounterError where a service asks for it (storage.unit_of_work.storage_failures)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from counter_app.domain.clock import VN_TZ
from counter_app.domain.dossier import DossierState
from counter_app.domain.procedure import PaperSpec, ProcedureSpec
from counter_app.errors import CounterError, StorageFailure
from counter_app.storage.database import Database, open_database
from counter_app.storage.migrate import upgrade
from counter_app.storage.repositories.accounts import Account
from counter_app.storage.repositories.agencies import Agency
from counter_app.storage.repositories.documents import PrintedDocument
from counter_app.storage.unit_of_work import UnitOfWork, storage_failures

AT = datetime(2027, 3, 2, 9, 0, tzinfo=VN_TZ)
SPEC = ProcedureSpec(
    code="1.000001",
    name="Đăng ký khai sinh",
    field="Hộ tịch",
    deciding_agency="UBND phường",
    days=1,
    same_day_cutoff="15:00",
    fee=0,
    supplement_rule="pause",
    papers=(PaperSpec("Tờ khai", 1, 0), PaperSpec("Giấy chứng sinh", 1, 0)),
)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "counter.db")
    upgrade(database.writer)
    yield database
    database.dispose()


def test_a_procedure_goes_in_and_comes_out_as_the_domain_spec(database: Database) -> None:
    with UnitOfWork(database, write=True) as uow:
        uow.procedures.save(SPEC, new=True)
        uow.commit()
    changed = dataclasses.replace(SPEC, days=3, papers=SPEC.papers[:1])
    with UnitOfWork(database, write=True) as uow:
        assert uow.procedures.get(SPEC.code) == SPEC
        uow.procedures.save(changed)
        uow.procedures.set_active(SPEC.code, False)
        uow.commit()
    with UnitOfWork(database) as uow:
        assert uow.procedures.get(SPEC.code) == dataclasses.replace(changed, active=False)
        assert uow.procedures.search("khai sinh") == []  # inactive: not offered
        assert [p.code for p in uow.procedures.search("khai sinh", include_inactive=True)] == [SPEC.code]
        assert list(uow.procedures.many([SPEC.code, "9.999"])) == [SPEC.code]


def test_records_are_frozen_values_that_outlive_their_unit_of_work(database: Database) -> None:
    account = Account("lan.nguyen", "Nguyễn Thị Lan", "clerk", "$argon2id$x", False, 0, None, AT)
    with UnitOfWork(database, write=True) as uow:
        uow.agencies.put(Agency("000.17.22.H56", "UBND phường Bến Thành", counter_digits=1, number_digits=3))
        uow.users.add(account)
        uow.users.count_failure(account.name, AT)
        uow.commit()
    with UnitOfWork(database) as uow:
        agency = uow.agencies.get("000.17.22.H56")
        stored = uow.users.get(account.name)
    assert agency is not None and agency.name == "UBND phường Bến Thành"
    assert stored == dataclasses.replace(account, failed_count=1, last_failed_at=AT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        stored.disabled = True  # type: ignore[misc]


def test_a_printed_document_counts_its_prints_through_the_repository(database: Database) -> None:
    with UnitOfWork(database, write=True) as uow:
        uow.dossiers.save(
            DossierState(
                "u-1",
                "dossier",
                "000.17.22.H56",
                1,
                SPEC.code,
                SPEC.name,
                "Trần Văn An",
                AT,
                "received",
                1,
                updated_at=AT,
            )
        )
        uow.commit()
    with UnitOfWork(database, write=True) as uow:
        uow.documents.add(PrintedDocument("d-1", "u-1", "receipt", "1/TTPVHCC", "k", AT))
        uow.documents.count_print("d-1")
        uow.documents.record_reprint("d-1", 1, "/archive/r1.pdf")
        uow.commit()
    with UnitOfWork(database) as uow:
        document = uow.documents.get("d-1")
    assert document is not None
    assert (document.print_count, document.reprint_count, document.path) == (1, 1, "/archive/r1.pdf")


def test_the_database_s_errors_become_a_counter_error_where_asked(database: Database) -> None:
    with pytest.raises(StorageFailure) as raised, storage_failures(), UnitOfWork(database) as uow:
        uow.session.execute(text("SELECT * FROM no_such_table"))
    assert isinstance(raised.value, CounterError)
    assert raised.value.detail == "OperationalError"
