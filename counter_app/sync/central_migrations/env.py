"""Alembic environment of the central database; counter_app.sync.central_admin hands in the connection and roles."""

from __future__ import annotations

from alembic import context

from counter_app.sync.central_schema import SCHEMA

connection = context.config.attributes["connection"]
# Its own version table in the central schema: the central history is separate from the local one.
context.configure(connection=connection, version_table_schema=SCHEMA)
with context.begin_transaction():
    context.run_migrations()
