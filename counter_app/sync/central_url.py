"""Central addresses: the administrator's PostgreSQL one (`postgresql://user[:password]@host:port/db?…`, parsed,
redacted, its password resolved) and the counter's, which may only be the sync service's `https://` address."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from counter_app.errors import RuleError, ValidationError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "counter_app"
DEFAULT_PORT = 5432
DEFAULT_CONNECT_TIMEOUT = "10"
_SCHEMES = ("postgresql", "postgres")

PasswordPrompt = Callable[[str], str]


@dataclass(frozen=True)
class CentralUrl:
    """A parsed central address; `password` is only what the URL itself held (never stored, never logged)."""

    user: str
    host: str
    port: int
    dbname: str
    params: tuple[tuple[str, str], ...] = ()
    password: str | None = field(default=None, repr=False)

    def redacted(self) -> str:
        """The address without its password, safe to show, log and store."""
        user = f"{self.user}@" if self.user else ""
        query = "&".join(f"{k}={v}" for k, v in self.params)
        return f"postgresql://{user}{self.host}:{self.port}/{self.dbname}" + (f"?{query}" if query else "")

    def connect_kwargs(self, password: str | None) -> dict[str, str]:
        """Keyword arguments for psycopg.connect; TLS and other libpq parameters of the URL pass through."""
        password = self.password if password is None else password
        kwargs = dict(self.params)
        kwargs.setdefault("connect_timeout", DEFAULT_CONNECT_TIMEOUT)
        kwargs.update(host=self.host, port=str(self.port), dbname=self.dbname)
        if self.user:
            kwargs["user"] = self.user
        if password is not None:
            kwargs["password"] = password
        return kwargs


def parse_central_url(text: str, *, field_name: str = "url") -> CentralUrl:
    """`postgresql://user[:password]@host[:port]/db[?sslmode=…&sslrootcert=…]`, refused with a message otherwise."""
    example = "postgresql://ten_vai_tro@may-chu:5432/ten_csdl"
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        raise ValidationError(field_name, f"Địa chỉ máy chủ trung tâm không hợp lệ; cần dạng {example}.") from None
    dbname = unquote(parts.path.lstrip("/"))
    if parts.scheme not in _SCHEMES or not parts.hostname or not dbname or "/" in dbname:
        raise ValidationError(field_name, f"Địa chỉ máy chủ trung tâm không hợp lệ; cần dạng {example}.")
    params = tuple(parse_qsl(parts.query, keep_blank_values=True))
    if any(key in {"password", "user", "host", "port", "dbname"} for key, _ in params):
        raise ValidationError(
            field_name, "Địa chỉ máy chủ trung tâm không được ghi tài khoản, mật khẩu hay máy chủ trong phần tham số."
        )
    return CentralUrl(
        user=unquote(parts.username or ""),
        host=parts.hostname,
        port=port or DEFAULT_PORT,
        dbname=dbname,
        params=params,
        password=unquote(parts.password) if parts.password is not None else None,
    )


SERVICE_ONLY_MESSAGE = (
    "Quầy chỉ đồng bộ qua dịch vụ đồng bộ của thành phố, tại địa chỉ dạng https://máy-chủ:cổng, bằng thông tin xác "
    "thực do quản trị viên cấp; quầy không còn kết nối thẳng vào cơ sở dữ liệu trung tâm (postgresql://)."
)


def is_database_address(text: str) -> bool:
    """Whether this is a PostgreSQL address (`postgresql://`, `postgres://`): an administrator's, never a counter's."""
    return text.strip().lower().startswith(tuple(f"{scheme}://" for scheme in _SCHEMES))


def sync_service_address(text: str) -> str:
    """A counter's central address: the city's sync service, `https://host[:port]`, with no secret in it.

    A PostgreSQL address is refused with SERVICE_ONLY_MESSAGE (RuleError): a counter holds no database login and
    never opens a PostgreSQL session. Anything else that is not such an address is a ValidationError.
    """
    text = text.strip()
    if is_database_address(text):
        raise RuleError(SERVICE_ONLY_MESSAGE, detail="postgresql:// central address refused on a counter")
    if not _is_https_address(text):
        raise ValidationError("central_url", "Địa chỉ dịch vụ đồng bộ cần dạng https://máy-chủ:cổng.")
    return text


def _is_https_address(text: str) -> bool:
    """`https://host[:port][/path]` with no user, password or query (no secret ever goes in the address)."""
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0  # reading the port raises ValueError when it is no number
    except ValueError:
        return False
    return (
        parts.scheme.lower() == "https"
        and bool(parts.hostname)
        and port_ok
        and not (parts.username or parts.password or parts.query)
    )


def central_url_setting(text: str) -> str:
    """The `central_url` setting as it may be stored: empty, or the sync service's address (sync_service_address).

    A PostgreSQL address is refused at the field with SERVICE_ONLY_MESSAGE.
    """
    text = text.strip()
    if not text:
        return ""
    try:
        return sync_service_address(text)
    except RuleError as exc:
        raise ValidationError("central_url", exc.message) from None


def without_password(text: str) -> str:
    """A stored address with any password taken out (settings written before passwords were refused there)."""
    try:
        parts = urlsplit(text)
        if parts.password is None:
            return text
    except ValueError:
        return text
    host = parts.netloc.rpartition("@")[2]
    user = parts.netloc.rpartition("@")[0].partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))


def keyring_password(role: str) -> str | None:
    """The role's password from the system keyring (service "counter_app"), None when absent or no keyring."""
    if not role:
        return None
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, role)
    except Exception as exc:  # no backend on a headless machine, a locked or absent Secret Service, ...
        log.warning("system keyring not usable: %s", type(exc).__name__)
        return None


def resolve_password(url: CentralUrl, ask: PasswordPrompt | None) -> str:
    """The URL's password, else the keyring's, else the one typed at `ask` (only given when a person can type)."""
    if url.password is not None:
        return url.password
    stored = keyring_password(url.user)
    if stored is not None:
        return stored
    if ask is not None:
        return ask(url.user)
    raise RuleError(
        f"Chưa có mật khẩu của tài khoản “{url.user or '(mặc định)'}” trên máy chủ trung tâm: hãy lưu mật khẩu vào "
        f"kho khóa của hệ thống (dịch vụ “{KEYRING_SERVICE}”, tên tài khoản “{url.user}”) "
        "hoặc chạy lệnh trong cửa sổ dòng lệnh để nhập mật khẩu."
    )
