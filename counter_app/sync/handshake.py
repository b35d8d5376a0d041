"""The start of every sync: protocol and schema versions both ways, the clocks, and who this counter is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from psycopg.rows import TupleRow

from counter_app.domain.clock import to_vn
from counter_app.errors import RuleError
from counter_app.sync.central_schema import SQLSTATE_CLIENT_TOO_OLD

# The protocol this client speaks; the central refuses clients below its `central.compat.min_client_protocol`.
SYNC_PROTOCOL = 1
MAX_CLOCK_SKEW = timedelta(minutes=5)

UPDATE_APP_MESSAGE = (
    "Phiên bản ứng dụng này đã cũ so với máy chủ trung tâm; cần cập nhật ứng dụng lên phiên bản mới "
    "trước khi đồng bộ. Dữ liệu trên máy vẫn được giữ nguyên."
)


@dataclass(frozen=True)
class CentralIdentity:
    """What the central says about this connection."""

    revision: str
    server_now: datetime
    agency_code: str | None
    counter: int | None
    counter_digits: int | None
    number_digits: int | None


def hello(conn: psycopg.Connection[TupleRow], role: str) -> CentralIdentity:
    """Call central.hello(); the central refuses an older client there (exit 2, "cập nhật ứng dụng")."""
    try:
        row = conn.execute(
            "SELECT revision, server_now, agency_code, counter, counter_digits, number_digits "
            "FROM central.hello(%s, current_user)",
            [SYNC_PROTOCOL],
        ).fetchone()
    except (psycopg.errors.UndefinedFunction, psycopg.errors.InvalidSchemaName):
        raise RuleError("Máy chủ trung tâm chưa được khởi tạo cho ứng dụng này (thiếu lược đồ “central”).") from None
    except psycopg.errors.InsufficientPrivilege:
        raise RuleError(f"Tài khoản “{role}” không phải tài khoản quầy trên máy chủ trung tâm.") from None
    except psycopg.DatabaseError as exc:
        if exc.sqlstate == SQLSTATE_CLIENT_TOO_OLD:
            raise RuleError(UPDATE_APP_MESSAGE, detail=str(exc).splitlines()[0]) from None
        raise
    assert row is not None
    return CentralIdentity(
        revision=str(row[0]),
        server_now=row[1],
        agency_code=row[2],
        counter=row[3],
        counter_digits=row[4],
        number_digits=row[5],
    )


def check_schema(central_revision: str, known: Sequence[str]) -> None:
    """`known`: this client's central revisions, newest first. A newer central means this client is too old."""
    if central_revision == known[0]:
        return
    if central_revision in known:
        raise RuleError(
            "Cơ sở dữ liệu trung tâm chưa được nâng cấp lên phiên bản mà ứng dụng này cần; "
            "quản trị viên cần chạy “counter-app central init”.",
            detail=f"central={central_revision} client={known[0]}",
        )
    raise RuleError(UPDATE_APP_MESSAGE, detail=f"central={central_revision} client={known[0]}")


def check_clock(central_now: datetime, system_now: datetime) -> None:
    """Refuse when the machine's own clock (never the drill clock) is more than 5 minutes off the central's."""
    skew = to_vn(system_now) - to_vn(central_now)
    if abs(skew) > MAX_CLOCK_SKEW:
        minutes = int(abs(skew).total_seconds() // 60)
        direction = "nhanh" if skew > timedelta(0) else "chậm"
        raise RuleError(
            f"Đồng hồ của máy này {direction} {minutes} phút so với máy chủ trung tâm (cho phép lệch tối đa "
            f"{int(MAX_CLOCK_SKEW.total_seconds() // 60)} phút). Hãy chỉnh lại ngày giờ của máy rồi đồng bộ lại.",
            detail=f"skew={skew.total_seconds():.0f}s",
        )


def check_identity(
    identity: CentralIdentity, role: str, agency_code: str, counter: int, numbering: tuple[int, int]
) -> None:
    """The central account must be this installation's counter, with the agency's fixed code widths."""
    if identity.agency_code is None or identity.counter is None:
        raise RuleError(f"Tài khoản “{role}” chưa được đăng ký là quầy nào trên máy chủ trung tâm.")
    if (identity.agency_code, identity.counter) != (agency_code, counter):
        raise RuleError(
            f"Tài khoản “{role}” trên máy chủ trung tâm là của quầy {identity.counter} cơ quan "
            f"{identity.agency_code}, nhưng máy này được thiết lập là quầy {counter} cơ quan {agency_code}."
        )
    if (identity.counter_digits, identity.number_digits) != numbering:
        raise RuleError(
            "Độ dài số quầy và số thứ tự của cơ quan trên máy này khác với máy chủ trung tâm "
            f"(máy này {numbering[0]} và {numbering[1]}, máy chủ {identity.counter_digits} và "
            f"{identity.number_digits} chữ số); hãy thiết lập lại quầy cho khớp trước khi đồng bộ."
        )
