"""The local SQLite database: engines with WAL, foreign keys, busy timeout, durable IMMEDIATE write transactions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from counter_app.private_files import create_private_if_missing, private_dir
from counter_app.storage.sqlite_file import check_database_file

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000

# What reading a database file from before its tables existed, or one too damaged to read, raises: named here so
# that the layers above catch it without importing SQLAlchemy.
UnreadableDatabase = DatabaseError


def _configure_sqlite(engine: Engine, *, begin: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would defer BEGIN; take control so writes begin IMMEDIATE
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a commit (an intake) is on disk before the receipt is printed, even across a power cut
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


@dataclass
class Database:
    """Two engines over one file: readers begin DEFERRED, writers begin IMMEDIATE so writers queue, not deadlock."""

    path: Path
    reader: Engine
    writer: Engine
    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]

    def dispose(self) -> None:
        self.reader.dispose()
        self.writer.dispose()


def open_database(path: Path, *, create: bool = True, damaged_ok: bool = False) -> Database:
    """Open (without creating tables) the SQLite database at `path`; call `migrate.upgrade` to create/upgrade it.

    What is not a database of this application is refused before any connection could change it (another
    program's SQLite file, a folder, a text file); `damaged_ok` lets the maintenance reach a damaged one. With
    `create` a missing file is created readable by its owner only, before SQLite does: SQLite gives the -wal,
    -shm and -journal files the permissions of the database file.
    """
    check_database_file(path, damaged_ok=damaged_ok)
    private_dir(path.parent)
    if create:
        create_private_if_missing(path)
    url = f"sqlite:///{path}"
    reader = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    writer = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    _configure_sqlite(reader, begin="BEGIN")
    _configure_sqlite(writer, begin="BEGIN IMMEDIATE")
    return Database(
        path=path,
        reader=reader,
        writer=writer,
        read_sessions=sessionmaker(reader, expire_on_commit=False),
        write_sessions=sessionmaker(writer, expire_on_commit=False),
    )
