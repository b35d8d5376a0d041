"""Copies of the city's sync service (`counter-app central serve`) over one test central, on loopback over TLS.

The service reaches PostgreSQL with a login that is only a member of the database's service role (what a city
would give it) and presents a certificate signed by the test cluster's throwaway CA.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from counter_app.sync.central_schema import roles_for
from support.pg_cluster import HOST, PgCluster, free_port

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ServiceCopies:
    """Where the running copies answer, the CA that signed their certificate, the announced status page."""

    urls: list[str]
    ca_file: Path
    public_url: str | None


def service_login(cluster: PgCluster, dbname: str) -> str:
    """A new login that is only a member of the database's service role; its `postgresql://` URL."""
    name = f"svc_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    with cluster.admin_connect(dbname) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(name), sql.Literal(password), sql.Identifier(roles_for(dbname).service)
            )
        )
    return cluster.url(dbname, name, password)


def _wait_listening(port: int, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the sync service stopped (see its log beside the test's files)")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError("the sync service did not start listening")


@contextlib.contextmanager
def running_sync_service(
    cluster: PgCluster, dbname: str, folder: Path, env: dict[str, str], copies: int = 1, *, status_page: bool = False
) -> Iterator[ServiceCopies]:
    """`copies` of the service (certificates and logs in `folder`, subprocess environment `env`); with
    `status_page`, each serves the status page and announces the first copy's address as the public one (what a
    load balancer's address would be). Every copy is stopped (SIGTERM, then SIGKILL) when the block ends."""
    ca = cluster.ca
    assert ca is not None
    issued = ca.issue_cert(HOST, "localhost")
    folder.mkdir(parents=True, exist_ok=True)
    certfile, keyfile = folder / "service.pem", folder / "service.key"
    issued.cert_chain_pems[0].write_to_path(str(certfile))
    issued.private_key_pem.write_to_path(str(keyfile))
    login_url = service_login(cluster, dbname)
    processes: list[subprocess.Popen[str]] = []
    ports: list[int] = []
    while len(ports) < copies:  # known before starting: the first copy's address is announced by every copy
        port = free_port()
        ports += [port] if port not in ports else []
    urls = [f"https://{HOST}:{port}" for port in ports]
    public = ("--public-url", urls[0]) if status_page else ()
    try:
        for port in ports:
            with (folder / f"service-{port}.log").open("w") as log:
                process = subprocess.Popen(
                    [
                        *(sys.executable, "-m", "counter_app", "central", "serve", "--url", login_url),
                        *("--listen", f"{HOST}:{port}", "--certfile", str(certfile), "--keyfile", str(keyfile)),
                        *public,
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    text=True,
                    env=env,
                    cwd=REPO,
                    stdin=subprocess.DEVNULL,
                )
            processes.append(process)
            _wait_listening(port, process)
        yield ServiceCopies(urls, cluster.ca_file, urls[0] if status_page else None)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
