"""The city's catalogue and calendar on the central: publishing them (administrator) and reading those that differ
from a counter's (the sync service's /v1/published, central.published).

The central keeps one published version per procedure and per calendar year (tables of revision c0004),
each with the SHA-256 of its canonical JSON. A counter sends the digests of its own versions, and the service
answers with only the procedures and years that differ, so a sync with nothing new costs one small query.
What it fetched is applied locally by services.catalogue (the central's version wins).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow
from psycopg.types.json import Jsonb

from counter_app.domain.calendar import CalendarYear
from counter_app.domain.procedure import ProcedureSpec, content_digest, validate_procedure
from counter_app.errors import CounterError, RuleError, ValidationError
from counter_app.sync.central_schema import roles_for
from counter_app.sync.central_url import CentralUrl
from counter_app.sync.connection import lost_connection, open_connection

log = logging.getLogger(__name__)

Connection = psycopg.Connection[TupleRow]


@dataclass(frozen=True)
class Published:
    """The central's versions that differ from this counter's."""

    procedures: tuple[ProcedureSpec, ...] = ()
    calendars: tuple[CalendarYear, ...] = ()


@dataclass(frozen=True)
class PublishResult:
    """What a publication changed on the central."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: int


def calendar_digest(data: Mapping[str, Any]) -> str:
    """Digest of a calendar year in its canonical form (CalendarYear.to_json_dict)."""
    return content_digest(CalendarYear.from_json_dict(dict(data)).to_json_dict())


def fetch_differing(
    conn: Connection, local_procedures: Mapping[str, str], local_years: Mapping[int, str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The published data (procedures, calendar years, as stored) whose digest differs from `local_*`; what the
    sync service answers a counter with (central.published), and the direct path parses (`parse_published`)."""
    wanted = [
        str(code)
        for code, digest in conn.execute("SELECT code, digest FROM central.published_procedure").fetchall()
        if local_procedures.get(str(code)) != digest
    ]
    years = [
        int(year)
        for year, digest in conn.execute("SELECT year, digest FROM central.published_calendar").fetchall()
        if local_years.get(int(year)) != digest
    ]
    procedures: list[dict[str, Any]] = []
    if wanted:
        rows = conn.execute(
            "SELECT data FROM central.published_procedure WHERE code = ANY(%s) ORDER BY code", [wanted]
        ).fetchall()
        procedures = [dict(data) for (data,) in rows]
    calendars: list[dict[str, Any]] = []
    if years:
        rows = conn.execute(
            "SELECT data FROM central.published_calendar WHERE year = ANY(%s) ORDER BY year", [years]
        ).fetchall()
        calendars = [dict(data) for (data,) in rows]
    return procedures, calendars


def parse_published(procedures: Sequence[Any], calendars: Sequence[Any]) -> Published:
    """The fetched data checked as the counter checks its own; what is not valid here is left out (logged)."""
    specs: list[ProcedureSpec] = []
    for data in procedures:
        if not isinstance(data, Mapping):
            log.warning("a published procedure is not a JSON object")
            continue
        try:
            specs.append(validate_procedure(data))
        except CounterError as exc:  # published through the checked command; refuse quietly what is not valid
            log.warning("published procedure %s is not valid here: %s", data.get("code"), exc.message)
    years: list[CalendarYear] = []
    for data in calendars:
        try:
            years.append(CalendarYear.from_json_dict(data))
        except (ValidationError, TypeError, KeyError, AttributeError) as exc:
            log.warning("published calendar is not valid here: %s", getattr(exc, "message", type(exc).__name__))
    return Published(tuple(specs), tuple(years))


# administrator's side
def _as_owner(conn: Connection) -> None:
    """Write as the schema's owner role, the only one allowed to change the published data."""
    owner = roles_for(conn.info.dbname).owner
    try:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(owner)))
    except psycopg.errors.InsufficientPrivilege:
        raise RuleError(
            "Tài khoản này không được công bố danh mục trên máy chủ trung tâm (cần tài khoản quản trị của máy chủ)."
        ) from None
    except psycopg.errors.InvalidParameterValue:
        raise RuleError(
            "Cơ sở dữ liệu trung tâm chưa được khởi tạo; chạy “counter-app central init --url …” trước."
        ) from None


def publish_catalogue(
    url: CentralUrl, password: str | None, version: str, specs: Sequence[ProcedureSpec]
) -> PublishResult:
    """Publish (add or replace) the given procedures for every counter; one transaction, all or nothing."""
    added: list[str] = []
    updated: list[str] = []
    with open_connection(url, password) as conn:
        try:
            _as_owner(conn)
            with conn.transaction():
                current: dict[str, str] = dict(
                    conn.execute("SELECT code, digest FROM central.published_procedure").fetchall()
                )
                for spec in specs:
                    digest = spec.digest()
                    if current.get(spec.code) == digest:
                        continue
                    conn.execute(
                        "INSERT INTO central.published_procedure (code, data, digest, catalogue_version) "
                        "VALUES (%s, %s, %s, %s) ON CONFLICT (code) DO UPDATE SET data = EXCLUDED.data, "
                        "digest = EXCLUDED.digest, catalogue_version = EXCLUDED.catalogue_version, "
                        "published_at = now(), published_by = session_user",
                        [spec.code, Jsonb(spec.to_json_dict()), digest, version],
                    )
                    (updated if spec.code in current else added).append(spec.code)
        except psycopg.OperationalError as exc:
            raise lost_connection(exc) from None
        except psycopg.errors.UndefinedTable:
            raise _not_initialised() from None
    log.info("catalogue %s published: %d added, %d updated", version, len(added), len(updated))
    return PublishResult(tuple(added), tuple(updated), len(specs) - len(added) - len(updated))


def publish_calendar(url: CentralUrl, password: str | None, cal: CalendarYear) -> bool:
    """Publish a year's official calendar; False when the central already holds exactly this version."""
    if cal.estimated:
        raise ValidationError("calendar", "Chỉ công bố lịch chính thức, không công bố lịch ước tính.")
    data = cal.to_json_dict()
    digest = content_digest(data)
    with open_connection(url, password) as conn:
        try:
            _as_owner(conn)
            with conn.transaction():
                row = conn.execute(
                    "SELECT digest FROM central.published_calendar WHERE year = %s FOR UPDATE", [cal.year]
                ).fetchone()
                if row is not None and row[0] == digest:
                    return False
                conn.execute(
                    "INSERT INTO central.published_calendar (year, version, data, digest) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (year) DO UPDATE SET version = EXCLUDED.version, data = EXCLUDED.data, "
                    "digest = EXCLUDED.digest, published_at = now(), published_by = session_user",
                    [cal.year, cal.version, Jsonb(data), digest],
                )
        except psycopg.OperationalError as exc:
            raise lost_connection(exc) from None
        except psycopg.errors.UndefinedTable:
            raise _not_initialised() from None
    log.info("calendar %d published as %s", cal.year, cal.version)
    return True


def _not_initialised() -> RuleError:
    return RuleError("Cơ sở dữ liệu trung tâm chưa có bảng danh mục công bố; chạy “counter-app central init --url …”.")
