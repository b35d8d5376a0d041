"""Connections to the central PostgreSQL, and which failures mean "unreachable" (retry later) or "refused"."""

from __future__ import annotations

import logging

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.rows import TupleRow

from counter_app.errors import CentralUnreachable, RuleError
from counter_app.sync.central_url import CentralUrl

log = logging.getLogger(__name__)

# The server answered but said no: a person must fix something, retrying will not help. The first needle found
# in libpq's message wins: TLS problems come first, since their messages also say "does not exist" (a missing
# sslrootcert file) or "rejects connection".
_REFUSALS = (
    ("certificate", "Lỗi chứng chỉ TLS khi kết nối máy chủ trung tâm; kiểm tra tham số sslmode/sslrootcert."),
    ("SSL", "Không thiết lập được kết nối TLS với máy chủ trung tâm; kiểm tra tham số sslmode/sslrootcert."),
    (
        "no encryption",
        "Máy chủ trung tâm chỉ nhận kết nối có mã hóa TLS: đặt sslmode=verify-full và sslrootcert trong địa chỉ.",
    ),
    ("pg_hba.conf rejects", "Máy chủ trung tâm từ chối kết nối từ máy này (pg_hba.conf)."),
    ("password authentication failed", "Sai mật khẩu của tài khoản “{user}” trên máy chủ trung tâm."),
    ("no password supplied", "Máy chủ trung tâm yêu cầu mật khẩu của tài khoản “{user}”."),
    ("does not exist", "Máy chủ trung tâm không có tài khoản “{user}” hoặc cơ sở dữ liệu “{db}”."),
    ("not permitted to log in", "Tài khoản “{user}” không được phép đăng nhập máy chủ trung tâm."),
    ("permission denied for database", "Tài khoản “{user}” không được phép dùng cơ sở dữ liệu “{db}”."),
    ("no pg_hba.conf entry", "Máy chủ trung tâm không cho phép máy này kết nối (pg_hba.conf)."),
)

UNREACHABLE_MESSAGE = (
    "Không kết nối được máy chủ trung tâm; dữ liệu vẫn được giữ nguyên trên máy này và sẽ được đồng bộ lần sau."
)


def open_connection(url: CentralUrl, password: str | None) -> psycopg.Connection[TupleRow]:
    """An autocommit connection (transactions are explicit blocks); failures become CounterErrors."""
    try:
        conn = psycopg.connect(make_conninfo("", **url.connect_kwargs(password)), autocommit=True)
    except psycopg.OperationalError as exc:
        raise connect_failure(exc, url) from None
    except psycopg.ProgrammingError as exc:  # a libpq parameter of the URL that libpq does not know
        raise RuleError("Địa chỉ máy chủ trung tâm có tham số không hợp lệ.", detail=str(exc).splitlines()[0]) from None
    # UTC on the wire; the application shows every moment in Vietnam's time itself.
    conn.execute("SET TIME ZONE 'UTC'")
    return conn


def connect_failure(exc: psycopg.OperationalError, url: CentralUrl) -> RuleError | CentralUnreachable:
    text = str(exc)
    for needle, message in _REFUSALS:
        if needle in text:
            log.warning("central refused the connection to %s: %s", url.redacted(), needle)
            return RuleError(message.format(user=url.user, db=url.dbname), detail=needle)
    log.warning("central unreachable at %s", url.redacted())
    return CentralUnreachable(UNREACHABLE_MESSAGE, detail=text.splitlines()[0] if text else type(exc).__name__)


def lost_connection(exc: psycopg.OperationalError) -> CentralUnreachable:
    """The connection broke during the exchange (server restart, network cut, timeout)."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    log.warning("connection to the central lost: %s", first)
    return CentralUnreachable(UNREACHABLE_MESSAGE, detail=first)
