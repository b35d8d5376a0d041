"""The central database's address: parsing `postgresql://user[:password]@host:port/db?…`, redacting, its password."""

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


SETTING_PASSWORD_MESSAGE = (
    "Không ghi mật khẩu trong địa chỉ máy chủ trung tâm: mật khẩu chỉ được lưu trong kho khóa của hệ thống "
    f"(dịch vụ “{KEYRING_SERVICE}”, tên tài khoản là vai trò của quầy)."
)


def central_url_setting(text: str) -> str:
    """The `central_url` setting as it may be stored: empty, or a valid address without a password.

    A password typed into the URL would be kept in the database in clear: it belongs in the system keyring.
    """
    text = text.strip()
    if not text:
        return ""
    if text.lower().startswith("https://"):  # the city's sync service: no secret ever goes in its address
        parts = urlsplit(text)
        if not parts.hostname or parts.username or parts.password or parts.query:
            raise ValidationError("central_url", "Địa chỉ dịch vụ đồng bộ cần dạng https://máy-chủ:cổng.")
        return text
    if parse_central_url(text, field_name="central_url").password is not None:
        raise ValidationError("central_url", SETTING_PASSWORD_MESSAGE)
    return text


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
