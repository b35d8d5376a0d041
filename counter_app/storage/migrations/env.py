"""Alembic environment for the local database; the engine is handed in by counter_app.storage.migrate."""

from __future__ import annotations

from alembic import context

from counter_app.storage import admin_models  # noqa: F401  (registers admin_event on Base.metadata)
from counter_app.storage.models import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
