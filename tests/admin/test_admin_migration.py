"""Migration 0004: the administration log's table matches its model, and the revision goes down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from counter_app.storage import admin_models
from counter_app.storage.database import open_database
from counter_app.storage.migrate import alembic_config, current_revision, upgrade
from counter_app.storage.models import Base


def test_the_admin_event_table_matches_its_model_and_downgrades(tmp_path: Path) -> None:
    database = open_database(tmp_path / "c.db")
    try:
        upgrade(database.writer)
        assert admin_models.AdminEventRow.__table__ is Base.metadata.tables["admin_event"]
        with database.writer.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            indexes = {ix["name"] for ix in inspect(connection).get_indexes("admin_event")}
        assert [d for d in diffs if "admin_event" in repr(d)] == []
        assert indexes == {"ix_admin_event_subject", "ix_admin_event_occurred"}
        command.downgrade(alembic_config(database.writer), "0003")
        with database.writer.connect() as connection:
            assert "admin_event" not in inspect(connection).get_table_names()
        upgrade(database.writer)
        assert current_revision(database.writer) is not None
        with database.writer.connect() as connection:
            assert "admin_event" in inspect(connection).get_table_names()
    finally:
        database.dispose()
