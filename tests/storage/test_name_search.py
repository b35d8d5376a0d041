"""The name search over the FTS5 trigram index: fragments with or without diacritics, short fragments, names
corrected after intake, and the triggers that keep the index right whoever writes the dossier rows."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.intake import IntakeForm
from counter_app.storage.repositories.dossiers import DossierRepository

AGENCY = "000.17.22.H56"
PERSON_ID = "079090001234"
NAMES = (
    "Nguyễn Văn Hải",
    "Nguyễn Thị Bích Ngọc",
    "Trần Thị Bích",
    "Lê Minh Đức",
    "Phạm Thanh Hương",
    "Đặng Văn Vinh",
    "O'Neil Trần",
)


class StepClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ)

    def now(self) -> datetime:
        return self.moment


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A counter with one dossier per name, received a minute apart in the order of NAMES."""
    path = tmp_path_factory.mktemp("search") / "c.db"
    clock = StepClock()
    services = build_services(path, clock)
    services.setup.init_local(agency_code=AGENCY, agency_name="Trung tâm phường Thử", counter=1)
    codes = {}
    for name in NAMES:
        clock.moment += timedelta(minutes=1)
        codes[name] = services.intake.accept(IntakeForm("DEMO.XNHN", name, PERSON_ID)).code or ""
    services.close()
    return path, codes


@pytest.fixture
def counter(template: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[tuple[Services, dict[str, str]]]:
    source, codes = template
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", tmp_path / f"c.db{suffix}")
    clock = StepClock()
    clock.moment += timedelta(days=1)
    services = build_services(tmp_path / "c.db", clock)
    yield services, codes
    services.close()


def names(services: Services, text: str, limit: int = 50) -> list[str]:
    return [view.applicant_name for view in services.dossiers.find(text, limit=limit)]


def index_entries(services: Services) -> int:
    with sqlite3.connect(services.context.database.path) as connection:
        return int(connection.execute("SELECT count(*) FROM dossier_name_fts_docsize").fetchone()[0])


def dossier_count(services: Services) -> int:
    with sqlite3.connect(services.context.database.path) as connection:
        return int(connection.execute("SELECT count(*) FROM dossier").fetchone()[0])


def test_a_fragment_without_diacritics_finds_names_with_them_newest_first(
    counter: tuple[Services, dict[str, str]],
) -> None:
    services, _codes = counter
    assert names(services, "nguyen") == ["Nguyễn Thị Bích Ngọc", "Nguyễn Văn Hải"]
    assert names(services, "thi bich") == ["Trần Thị Bích", "Nguyễn Thị Bích Ngọc"]
    assert names(services, "van h") == ["Nguyễn Văn Hải"]  # across the space between two words
    assert names(services, "dang van vinh") == ["Đặng Văn Vinh"]  # đ folds to d
    assert names(services, "HUONG") == ["Phạm Thanh Hương"]


def test_a_fragment_typed_with_diacritics_is_folded_first(counter: tuple[Services, dict[str, str]]) -> None:
    services, _codes = counter
    assert names(services, "Nguyễn Thị") == ["Nguyễn Thị Bích Ngọc"]
    assert names(services, "Đức") == ["Lê Minh Đức"]
    assert names(services, "bích") == ["Trần Thị Bích", "Nguyễn Thị Bích Ngọc"]


def test_fragments_of_one_or_two_letters_search_the_recent_dossiers(counter: tuple[Services, dict[str, str]]) -> None:
    services, _codes = counter
    assert names(services, "đ") == ["Đặng Văn Vinh", "Lê Minh Đức"]
    assert names(services, "ng") == [
        "Đặng Văn Vinh",
        "Phạm Thanh Hương",
        "Nguyễn Thị Bích Ngọc",
        "Nguyễn Văn Hải",
    ]
    assert names(services, "ng", limit=2) == ["Đặng Văn Vinh", "Phạm Thanh Hương"]


def test_the_limit_keeps_the_newest_matches(counter: tuple[Services, dict[str, str]]) -> None:
    services, _codes = counter
    assert names(services, "thi", limit=1) == ["Trần Thị Bích"]
    assert names(services, "an", limit=3) == ["O'Neil Trần", "Đặng Văn Vinh", "Phạm Thanh Hương"]


def test_nothing_matches_and_odd_characters_are_plain_text(counter: tuple[Services, dict[str, str]]) -> None:
    services, _codes = counter
    assert names(services, "xyz") == []
    assert names(services, "o'neil") == ["O'Neil Trần"]
    for odd in ('"', 'a"b', "%", "_", "n%n", "thi*", "thi OR van", "(van)", "\\"):
        assert names(services, odd) == [], odd


def test_codes_identifiers_and_phones_are_found_beside_names(counter: tuple[Services, dict[str, str]]) -> None:
    services, codes = counter
    code = codes["Lê Minh Đức"]
    assert names(services, code) == ["Lê Minh Đức"]
    assert [v.code for v in services.dossiers.find(code[:-1], limit=50)] == sorted(
        (c for c in codes.values() if c.startswith(code[:-1])), reverse=True
    )
    assert len(services.dossiers.find(PERSON_ID, limit=50)) == len(NAMES)
    assert services.dossiers.get_dossier(code).applicant_name == "Lê Minh Đức"
    assert services.dossiers.get_dossier(code.lower()).code == code


def test_a_name_corrected_after_intake_is_found_under_the_new_name_only(
    counter: tuple[Services, dict[str, str]],
) -> None:
    services, codes = counter
    services.dossiers.correct(codes["Đặng Văn Vinh"], {"applicant_name": "Đặng Văn Vĩnh Phúc"}, "Ghi sai tên")
    assert names(services, "vinh phuc") == ["Đặng Văn Vĩnh Phúc"]
    assert names(services, "van vinh") == ["Đặng Văn Vĩnh Phúc"]
    services.dossiers.correct(codes["Đặng Văn Vinh"], {"applicant_name": "Bùi Thị Lan"}, "Nhầm người")
    assert names(services, "vinh") == []
    assert names(services, "bui thi lan") == ["Bùi Thị Lan"]
    assert index_entries(services) == dossier_count(services)


def test_rows_written_by_plain_sql_are_indexed_by_the_triggers(counter: tuple[Services, dict[str, str]]) -> None:
    """A bulk loader inserting into dossier directly (no ORM, no repository) keeps the index right."""
    services, _codes = counter
    path = services.context.database.path
    with sqlite3.connect(path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(dossier)")]
        chosen = ", ".join(
            {
                "uuid": "uuid || '-copy'",
                "code": "code || '-COPY'",
                "applicant_name": "'Võ Ngọc Ánh'",
                "name_key": "'vo ngoc anh'",
                "received_at": "'2026-03-04T09:00:00+07:00'",
            }.get(column, column)
            for column in columns
        )
        connection.execute(
            f"INSERT INTO dossier ({', '.join(columns)}) SELECT {chosen} FROM dossier WHERE applicant_name = ?",
            ("Lê Minh Đức",),
        )
    assert names(services, "vo ngoc") == ["Võ Ngọc Ánh"]
    assert names(services, "minh duc") == ["Lê Minh Đức"]
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE dossier SET name_key = 'vo ngoc anh thu' WHERE uuid LIKE '%-copy'")
    assert names(services, "anh thu") == ["Võ Ngọc Ánh"]
    with sqlite3.connect(path) as connection:
        # the reception moves: the index key (reception second, rowid) moves with it
        connection.execute("UPDATE dossier SET received_at = '2026-02-01T09:00:00+07:00' WHERE uuid LIKE '%-copy'")
    assert names(services, "ngoc") == ["Nguyễn Thị Bích Ngọc", "Võ Ngọc Ánh"]  # now the oldest
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM dossier_paper WHERE dossier_uuid LIKE '%-copy'")
        connection.execute("DELETE FROM dossier WHERE uuid LIKE '%-copy'")
    assert names(services, "vo ngoc") == []
    assert index_entries(services) == dossier_count(services)
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO dossier_name_fts(dossier_name_fts) VALUES ('integrity-check')")


def test_bulk_inserts_of_the_repository_are_indexed(counter: tuple[Services, dict[str, str]]) -> None:
    services, codes = counter
    original = services.dossiers.get_state(codes["Lê Minh Đức"])
    copies = [
        replace(original, uuid=f"{original.uuid[:30]}-{i:05d}", code=f"{original.code}-{i}", applicant_name=name)
        for i, name in enumerate(("Hồ Thị Xuân Hương", "Hồ Văn Xuân"), start=1)
    ]
    with services.context.uow(write=True) as uow:
        assert isinstance(uow.dossiers, DossierRepository)
        uow.dossiers.insert_many(copies)
        uow.commit()
    assert sorted(names(services, "xuan")) == ["Hồ Thị Xuân Hương", "Hồ Văn Xuân"]
    assert index_entries(services) == dossier_count(services)
