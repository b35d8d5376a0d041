"""The schema the migrations build is the one the models declare, and the report and search queries use the
indexes of migration 0003 (EXPLAIN QUERY PLAN), without turning other queries away from theirs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, event

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.intake import IntakeForm
from counter_app.storage import migrate
from counter_app.storage.database import open_database
from counter_app.storage.models import Base, is_name_search_table

AGENCY = "000.17.22.H56"


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 3, 10, 9, 0, tzinfo=VN_TZ)


def _schema(path: Path, *, like: str) -> dict[str, str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name, sql FROM sqlite_master WHERE name LIKE ?", (like,)).fetchall()
    return {str(name): " ".join(str(sql or "").split()) for name, sql in rows}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("migrated") / "m.db"
    database = open_database(path)
    migrate.upgrade(database.writer)
    database.dispose()
    return path


def test_the_migrated_schema_is_the_models_schema(migrated: Path) -> None:
    engine = create_engine(f"sqlite:///{migrated}")

    def include(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
        return not (kind == "table" and name is not None and is_name_search_table(name))

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_the_name_index_and_its_triggers_are_the_same_from_models_and_migrations(
    migrated: Path, tmp_path: Path
) -> None:
    created = tmp_path / "created.db"
    engine = create_engine(f"sqlite:///{created}")
    Base.metadata.create_all(engine)
    engine.dispose()
    from_models = _schema(created, like="dossier_name_fts%")
    from_migrations = _schema(migrated, like="dossier_name_fts%")
    assert {"dossier_name_fts", "dossier_name_fts_insert", "dossier_name_fts_update", "dossier_name_fts_delete"} <= set(
        from_migrations
    )
    assert from_models == from_migrations
    # the partial indexes, with their WHERE (autogenerate does not compare a partial index's condition)
    for index in ("ix_event_kind_time", "ix_event_handed_over"):
        assert _schema(created, like=index) == _schema(migrated, like=index)
        assert " WHERE kind = 'dossier." in _schema(migrated, like=index)[index]


def test_an_existing_database_gets_its_dossiers_indexed_by_the_migration(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "old.db"
    database = open_database(path)
    command.upgrade(migrate.alembic_config(database.writer), "0002")
    with database.writer.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO dossier (uuid, kind, agency_code, counter, rule_set, procedure_code, procedure_name, field, "
            "deciding_agency, stage, status, channel, applicant_kind, applicant_name, name_key, applicant_identifier, "
            "applicant_address, applicant_phone, applicant_email, filer_name, filer_identifier, filer_phone, "
            "filer_authorisation, result_delivery, postal_address, sets_count, fee, fee_paid, processing_days, "
            "supplement_rule, received_at, calendar_version, calendar_estimated, reappointed, supervisor_flag, "
            "reason, book_volume, book_index, event_count, updated_at) VALUES ('u1', 'dossier', 'A', 1, 'TT03-2025', "
            "'P', 'Thủ tục', '', '', 'received', 2, 1, 'person', 'Ngô Bảo Châu', 'ngo bao chau', '', '', '', '', '', "
            "'', '', '', 'desk', '', 1, 0, 0, 3, 'pause', '2025-01-02T08:00:00+07:00', '', 0, 0, '', '', 1, 0, 1, "
            "'2025-01-02T08:00:00+07:00')"
        )
    migrate.upgrade(database.writer)
    database.dispose()
    with sqlite3.connect(path) as connection:
        found = connection.execute(
            "SELECT rowid FROM dossier_name_fts WHERE dossier_name_fts MATCH '\"bao chau\"'"
        ).fetchall()
        rowid = connection.execute("SELECT rowid FROM dossier WHERE uuid = 'u1'").fetchone()[0]
    assert [key & ((1 << 31) - 1) for (key,) in found] == [rowid]


# --- query plans ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    path = tmp_path_factory.mktemp("plans") / "p.db"
    services = build_services(path, FixedClock())
    services.setup.init_local(agency_code=AGENCY, agency_name="Trung tâm phường Thử", counter=1)
    services.intake.accept(IntakeForm("DEMO.XNHN", "Nguyễn Văn An", "079090001234"))
    yield services
    services.close()


def _plans(services: Services, action: Any) -> list[tuple[str, list[str]]]:
    """Each SELECT `action` runs, with the details of its EXPLAIN QUERY PLAN."""
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    engine = services.context.database.reader
    event.listen(engine, "before_cursor_execute", capture)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    with sqlite3.connect(services.context.database.path) as connection:
        return [
            (statement, [str(row[3]) for row in connection.execute("EXPLAIN QUERY PLAN " + statement, parameters)])
            for statement, parameters in captured
        ]


def _full_scans(plans: list[tuple[str, list[str]]]) -> list[str]:
    return [
        f"{detail} in {statement[:160]}"
        for statement, details in plans
        for detail in details
        if detail.split(" ")[:2] in (["SCAN", "dossier"], ["SCAN", "event"])
    ]


@pytest.mark.parametrize("period", [(date(2026, 3, 1), date(2026, 3, 31)), (date(2020, 1, 1), date(2026, 12, 31))])
def test_statistics_read_no_table_whole(services: Services, period: tuple[date, date]) -> None:
    plans = _plans(services, lambda: services.reports.get_stats(*period))
    assert _full_scans(plans) == []
    details = "\n".join(d for _s, ds in plans for d in ds)
    assert "USING INDEX ix_dossier_received" in details  # receptions of the period
    assert "USING INDEX ix_dossier_finished" in details  # resolved in the period, open at its end
    assert "USING COVERING INDEX ix_event_kind_time" in details  # supplement requests, apologies
    # correlated look-ups of a dossier's events go through its own events, never through all events of a kind
    for statement, ds in plans:
        for detail in ds:
            if detail.startswith("SEARCH event_") and "ix_event_kind_time" in detail:
                pytest.fail(f"{detail} in {statement[:200]}")


def test_the_book_reads_each_dossier_s_hand_over_through_its_events(services: Services, tmp_path: Path) -> None:
    plans = _plans(
        services, lambda: services.reports.export_book(date(2026, 3, 1), date(2026, 3, 31), "xlsx", tmp_path / "b")
    )
    assert _full_scans(plans) == []
    book = [ds for statement, ds in plans if "handed_over" in statement or "min(event_1.occurred_at)" in statement]
    assert book
    assert all(any("INDEX ix_event_handed_over (dossier_uuid=?)" in d for d in ds) for ds in book), book


def test_the_name_search_uses_its_index(services: Services) -> None:
    plans = _plans(services, lambda: services.dossiers.find("van an", limit=50))
    assert _full_scans(plans) == []
    # M1: the MATCH is answered by the index (and ORDER BY rowid DESC by its order: no sorting step)
    fts = [d for _s, ds in plans for d in ds if "dossier_name_fts VIRTUAL TABLE" in d]
    assert fts and all(":M1" in d for d in fts)
    assert not any("TEMP B-TREE" in d for s, ds in plans if "dossier_name_fts" in s for d in ds)


def test_the_partial_event_index_leaves_sync_s_queries_alone(services: Services) -> None:
    """storage/local_dossiers.py reads a batch's transfers by dossier: an index on every kind would be chosen
    instead."""
    sql = (
        "SELECT dossier_uuid, payload FROM event WHERE kind = 'dossier.transferred' "
        "AND dossier_uuid IN (SELECT value FROM json_each(?)) ORDER BY dossier_uuid, seq"
    )
    with sqlite3.connect(services.context.database.path) as connection:
        plan = [str(r[3]) for r in connection.execute("EXPLAIN QUERY PLAN " + sql, (json.dumps(["a", "b"]),))]
    assert any("ix_event_dossier" in d for d in plan), plan


def test_migration_0003_goes_down_and_up_again(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "d.db"
    database = open_database(path)
    migrate.upgrade(database.writer)
    command.downgrade(migrate.alembic_config(database.writer), "0002")
    assert _schema(path, like="dossier_name_fts%") == {}
    assert _schema(path, like="ix_event_kind_time") == {}
    migrate.upgrade(database.writer)
    database.dispose()
    assert "dossier_name_fts_insert" in _schema(path, like="dossier_name_fts%")
    assert "ix_dossier_finished" in _schema(path, like="ix_dossier_finished")
