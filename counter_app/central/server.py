"""`counter-app central serve`: the sync service in the foreground (uvicorn), over TLS when given a certificate."""

from __future__ import annotations

import logging

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


def serve(
    url: CentralUrl,
    password: str | None,
    listen: str,
    *,
    certfile: str | None = None,
    keyfile: str | None = None,
    pool_max: int = POOL_MAX,
) -> None:
    """Until SIGTERM or SIGINT. The URL's login must be a member of the database's service role."""
    import uvicorn
    from psycopg.conninfo import make_conninfo
    from psycopg_pool import ConnectionPool

    from counter_app.central.service import create_app
    from counter_app.central.session import Connection, act_for_nobody, configure

    host, port = parse_listen(listen)
    if bool(certfile) != bool(keyfile):
        raise ValidationError("certfile", "Cần cả --certfile và --keyfile để phục vụ qua TLS.")
    service_role = roles_for(url.dbname).service
    pool: ConnectionPool[Connection] = ConnectionPool(
        make_conninfo("", **url.connect_kwargs(password)),
        min_size=1,
        max_size=pool_max,
        configure=lambda conn: configure(conn, service_role),
        reset=act_for_nobody,
        open=True,
        name="central",
    )
    try:
        config = uvicorn.Config(
            create_app(pool),
            host=host,
            port=port,
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
            log_level="warning",
            access_log=False,  # request lines name dossiers' uuids: personal data stays out of logs
            timeout_graceful_shutdown=10,
        )
        log.info("sync service listening on %s:%d (TLS: %s)", host, port, bool(certfile))
        uvicorn.Server(config).run()
    finally:
        pool.close()
