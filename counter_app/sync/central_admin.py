"""Administration of the central database: create/upgrade its schema, register agencies and counter numbers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from counter_app.domain.codes import Numbering, validate_agency_code
from counter_app.errors import RuleError, ValidationError
from counter_app.sync.central_schema import SCHEMA, CentralRoles, roles_for
from counter_app.sync.central_url import CentralUrl
from counter_app.sync.connection import lost_connection, open_connection

log = logging.getLogger(__name__)

CENTRAL_MIGRATIONS = Path(__file__).with_name("central_migrations")


@dataclass(frozen=True)
class InitResult:
    revision: str
    upgraded: bool
    owner_role: str
    counters_role: str


@dataclass(frozen=True)
class CounterRegistration:
    """A counter number taken on the central. It is no database login: the counter reaches the central through
    the sync service with a credential (central.credentials.issue_credential)."""

    agency_code: str
    counter: int


def known_revisions() -> tuple[str, ...]:
    """Every revision of the central history this client knows, newest first."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(CENTRAL_MIGRATIONS))
    return tuple(script.revision for script in ScriptDirectory.from_config(config).walk_revisions())


def head_revision() -> str:
    return known_revisions()[0]


def _role_exists(conn: psycopg.Connection[TupleRow], name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone() is not None


def _ensure_roles_and_schema(conn: psycopg.Connection[TupleRow], roles: CentralRoles) -> None:
    """What lies outside the versioned schema: the two group roles, database rights and the schema itself."""
    for name in (roles.owner, roles.counters):
        if not _role_exists(conn, name):
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
    if not _role_exists(conn, roles.service):
        conn.execute(
            sql.SQL("CREATE ROLE {} NOLOGIN IN ROLE {}").format(
                sql.Identifier(roles.service), sql.Identifier(roles.counters)
            )
        )
    superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    if not (superuser and superuser[0]):
        # a CREATEROLE administrator must be a member to act as the owner
        conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(roles.owner)))
    database = sql.Identifier(conn.info.dbname)
    conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
    # TEMPORARY: a push loads its batch through a temporary table (COPY is many times faster than INSERTs).
    conn.execute(
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(database, sql.Identifier(roles.counters))
    )
    conn.execute(
        sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
            sql.Identifier(SCHEMA), sql.Identifier(roles.owner)
        )
    )


def _revision(conn: psycopg.Connection[TupleRow]) -> str | None:
    exists = conn.execute("SELECT to_regclass('central.alembic_version') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return None
    row = conn.execute("SELECT version_num FROM central.alembic_version").fetchone()
    return str(row[0]) if row else None


def init_central(url: CentralUrl, password: str | None, *, revision: str = "head") -> InitResult:
    """Create the central schema (or bring it to the newest revision) with its own Alembic history; `revision`: an
    older one instead (the upgrade tests build a central as an earlier version made it)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    with open_connection(url, password) as conn:
        roles = roles_for(conn.info.dbname)
        try:
            _ensure_roles_and_schema(conn, roles)
            before = _revision(conn)
        except psycopg.OperationalError as exc:
            raise lost_connection(exc) from None
        except psycopg.errors.InsufficientPrivilege as exc:
            raise RuleError(
                "Tài khoản quản trị không đủ quyền tạo vai trò và lược đồ trên máy chủ trung tâm "
                "(cần quyền CREATEROLE và là chủ sở hữu cơ sở dữ liệu).",
                detail=str(exc).splitlines()[0],
            ) from None

    engine = create_engine("postgresql+psycopg://", creator=lambda: open_connection(url, password), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            # Everything the migrations create belongs to the owner role, not to whoever ran init.
            connection.execute(text(f'SET ROLE "{roles.owner}"'))
            config = Config()
            config.set_main_option("script_location", str(CENTRAL_MIGRATIONS))
            config.attributes["connection"] = connection
            config.attributes["roles"] = roles
            command.upgrade(config, revision)
            connection.commit()
    except psycopg.OperationalError as exc:
        raise lost_connection(exc) from None
    finally:
        engine.dispose()
    head = head_revision() if revision == "head" else revision
    log.info("central schema at %s (was %s)", head, before)
    return InitResult(revision=head, upgraded=before != head, owner_role=roles.owner, counters_role=roles.counters)


def add_agency(
    url: CentralUrl, password: str | None, *, code: str, name: str, counter_digits: int = 1, number_digits: int = 3
) -> str:
    """Register an agency; its code widths are fixed here once (domain.md §4)."""
    agency = validate_agency_code(code)
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError("name", "Cần nhập tên cơ quan.")
    Numbering(counter_digits, number_digits)
    with open_connection(url, password) as conn:
        try:
            conn.execute(
                "INSERT INTO central.agency (code, name, counter_digits, number_digits) VALUES (%s, %s, %s, %s)",
                [agency, cleaned, counter_digits, number_digits],
            )
        except psycopg.errors.UniqueViolation:
            raise RuleError(f"Cơ quan {agency} đã có trên máy chủ trung tâm.") from None
        except psycopg.errors.UndefinedTable:
            raise not_initialised() from None
        except psycopg.OperationalError as exc:
            raise lost_connection(exc) from None
    return agency


def add_counter(
    url: CentralUrl, password: str | None, *, agency_code: str, counter: int, label: str = ""
) -> CounterRegistration:
    """Take counter number `counter` of an agency; a number is taken only once. No PostgreSQL role is made."""
    agency = validate_agency_code(agency_code)
    taken = RuleError(
        f"Quầy số {counter} của cơ quan {agency} đã được đăng ký trên máy chủ trung tâm; "
        "mỗi số quầy chỉ được cấp một lần."
    )
    with open_connection(url, password) as conn:
        try:
            row = conn.execute(
                "SELECT counter_digits, number_digits FROM central.agency WHERE code = %s", [agency]
            ).fetchone()
            if row is None:
                raise RuleError(
                    f"Cơ quan {agency} chưa có trên máy chủ trung tâm; thêm bằng “counter-app central add-agency”."
                )
            Numbering(int(row[0]), int(row[1])).check_counter(counter)
            inserted = conn.execute(
                "INSERT INTO central.counter (agency_code, number, label) VALUES (%s, %s, %s) "
                "ON CONFLICT (agency_code, number) DO NOTHING",
                [agency, counter, " ".join(label.split())],
            ).rowcount
            if inserted != 1:
                raise taken
        except psycopg.errors.UniqueViolation:
            raise taken from None
        except psycopg.errors.UndefinedTable:
            raise not_initialised() from None
        except psycopg.errors.NotNullViolation:  # a central before c0008 still wants a login role per counter
            raise RuleError(
                "Cơ sở dữ liệu trung tâm cần được nâng cấp; chạy “counter-app central init --url …” trước."
            ) from None
        except psycopg.OperationalError as exc:
            raise lost_connection(exc) from None
    log.info("counter %d of %s registered on the central", counter, agency)
    return CounterRegistration(agency_code=agency, counter=counter)


def not_initialised() -> RuleError:
    return RuleError("Cơ sở dữ liệu trung tâm chưa được khởi tạo; chạy “counter-app central init --url …” trước.")


def central_revision(conn: psycopg.Connection[Any]) -> str | None:
    """The schema revision of the central (None before `central init`), read with administrator rights."""
    return _revision(conn)
