"""The sync service of a test: copies of `counter-app central serve` over TLS on loopback, one service login."""

from __future__ import annotations

import contextlib
import secrets
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from psycopg import sql
from support.pg_cluster import HOST, free_port
from sync_helpers import REPO, Central, cli_env

from counter_app.central.credentials import issue_credential
from counter_app.sync.central_schema import roles_for
from counter_app.sync.central_url import parse_central_url


@dataclass
class SyncService:
    """Running copies of the service over one central; `credential(agency, n)` registers a counter once."""

    central: Central
    urls: list[str]
    ca_file: Path
    public_url: str | None = None  # where the status page is served (`--public-url`), None: not served
    credentials: dict[tuple[str, int], str] = field(default_factory=dict)

    def credential(self, agency: str, number: int) -> str:
        if (agency, number) not in self.credentials:
            self.central.accounts.get((agency, number)) or self.central.add_counter(agency, number)
            url = parse_central_url(self.central.admin_url)
            self.credentials[(agency, number)] = issue_credential(url, None, agency_code=agency, counter=number)
        return self.credentials[(agency, number)]

    def client(self, credential: str, copy: int = 0) -> httpx.Client:
        return httpx.Client(
            base_url=self.urls[copy],
            verify=ssl.create_default_context(cafile=str(self.ca_file)),
            headers={"Authorization": f"Bearer {credential}"},
            timeout=60,
        )


def _service_login(central: Central) -> str:
    """A login that is only a member of the database's service role: what a city would give the service."""
    name = f"svc_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    with central.admin() as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(name), sql.Literal(password), sql.Identifier(roles_for(central.dbname).service)
            )
        )
    return central.cluster.url(central.dbname, name, password)


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
def running_service(
    central: Central, tmp_path: Path, copies: int = 2, *, status_page: bool = True
) -> Iterator[SyncService]:
    """`copies` of the service; with `status_page`, each serves the status page and announces the first copy's
    address as the public one (what a load balancer's address would be)."""
    ca = central.cluster.ca
    assert ca is not None
    issued = ca.issue_cert(HOST, "localhost")
    tmp_path.mkdir(parents=True, exist_ok=True)
    certfile, keyfile = tmp_path / "service.pem", tmp_path / "service.key"
    issued.cert_chain_pems[0].write_to_path(str(certfile))
    issued.private_key_pem.write_to_path(str(keyfile))
    login_url = _service_login(central)
    processes: list[subprocess.Popen[str]] = []
    ports: list[int] = []
    while len(ports) < copies:  # known before starting: the first copy's address is announced by every copy
        port = free_port()
        ports += [port] if port not in ports else []
    urls = [f"https://{HOST}:{port}" for port in ports]
    public = ("--public-url", urls[0]) if status_page else ()
    try:
        for port in ports:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "counter_app", "central", "serve", "--url", login_url),
                    *("--listen", f"{HOST}:{port}", "--certfile", str(certfile), "--keyfile", str(keyfile)),
                    *public,
                ],
                stdout=subprocess.DEVNULL,
                stderr=(tmp_path / f"service-{port}.log").open("w"),
                text=True,
                env=cli_env(tmp_path),
                cwd=REPO,
                stdin=subprocess.DEVNULL,
            )
            processes.append(process)
            _wait_listening(port, process)
        yield SyncService(central, urls, central.cluster.ca_file, urls[0] if status_page else None)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
