"""`counter-app central serve`: the sync service in the foreground (uvicorn), over TLS when given a certificate."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from counter_app.errors import ValidationError
from counter_app.sync.central_schema import roles_for
from counter_app.sync.central_url import CentralUrl

log = logging.getLogger(__name__)

POOL_MAX = 20  # PostgreSQL sessions per copy of the service, whatever the number of counters


def parse_listen(text: str) -> tuple[str, int]:
    """`HOST:PORT` (an IPv6 host in brackets)."""
    host, _, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValidationError(
            "listen", f"Địa chỉ lắng nghe “{text}” không hợp lệ; cần dạng HOST:PORT, ví dụ 0.0.0.0:8443."
        )
    return host, int(port)


def check_public_url(text: str) -> str:
    """An absolute http(s) address without query or fragment; https is expected (the link carries a key)."""
    value = text.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise ValidationError(
            "public_url", f"Địa chỉ công khai “{text}” không hợp lệ; cần dạng https://tra-cuu.example.vn[/đường-dẫn]."
        )
    if parts.scheme == "http":
        log.warning("the status page's public address is not https: the links carry each dossier's key")
    return value


def serve(
    url: CentralUrl,
    password: str | None,
    listen: str,
    *,
    certfile: str | None = None,
    keyfile: str | None = None,
    pool_max: int = POOL_MAX,
    public_url: str | None = None,
) -> None:
    """Until SIGTERM or SIGINT. The URL's login must be a member of the database's service role. With
    `public_url` (the address citizens reach this service at), it serves the status page under it too."""
    import uvicorn
    from psycopg.conninfo import make_conninfo
    from psycopg_pool import ConnectionPool

    from counter_app.central.service import create_app
    from counter_app.central.session import Connection, act_for_nobody, configure

    host, port = parse_listen(listen)
    public = check_public_url(public_url) if public_url else None
    if bool(certfile) != bool(keyfile):
        raise ValidationError("certfile", "Cần cả --certfile và --keyfile để phục vụ qua TLS.")
    service_role = roles_for(url.dbname).service
    pool: ConnectionPool[Connection] = ConnectionPool(
        make_conninfo("", **url.connect_kwargs(password)),
        min_size=1,
        max_size=pool_max,
        configure=lambda conn: configure(conn, service_role),
        reset=act_for_nobody,
        # a session broken under the pool (PostgreSQL restarted, a failover) is replaced, not handed to a call
        check=ConnectionPool.check_connection,
        open=True,
        name="central",
    )
    try:
        config = uvicorn.Config(
            create_app(pool, public_url=public),
            host=host,
            port=port,
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
            log_level="warning",
            access_log=False,  # request lines name dossiers' uuids: personal data stays out of logs
            timeout_graceful_shutdown=10,
            # longer than a counter's pause between two calls of one sync (a retry after "busy"): a connection
            # closed under a client about to reuse it loses that call
            timeout_keep_alive=75,
        )
        log.info("sync service listening on %s:%d (TLS: %s)", host, port, bool(certfile))
        uvicorn.Server(config).run()
    finally:
        pool.close()
