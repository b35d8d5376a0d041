"""A throwaway PostgreSQL cluster on 127.0.0.1, created, started and removed by the test run.

It accepts TLS connections only (a throwaway CA made by trustme signs its certificate): every URL and admin
connection of the tests verifies the server against that CA, as a counter on the city network must.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import trustme
from psycopg import sql
from psycopg.rows import TupleRow

HOST = "127.0.0.1"
SUPERUSER = "postgres"
# initdb and pg_ctl refuse to run as root: as root they run as this account, in a folder it owns.
SERVER_ACCOUNT = "postgres"
# Test speed only (about 2 s to start instead of 5 s); a crash may lose the cluster, which is thrown away anyway.
_TEST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "listen_addresses": f"'{HOST}'",
}


def find_bindir() -> Path:
    """The folder holding initdb and pg_ctl: PostgreSQL 15 first, then pg_config's, then the newest installed."""
    candidates = [Path("/usr/lib/postgresql/15/bin")]
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
        candidates.append(Path(out.stdout.strip()))
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    candidates.extend(installed)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise RuntimeError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin "
        "nor in `pg_config --bindir`: install postgresql-15 (make deps)"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


# pg_hba.conf: TCP with TLS only, password (scram-sha-256) logins; a connection without TLS is refused.
_HBA = """# counter_app test cluster: TLS only
hostnossl all all 0.0.0.0/0 reject
hostssl all all 127.0.0.1/32 scram-sha-256
"""


class PgCluster:
    """One PostgreSQL cluster in its own temporary folder: password (scram-sha-256) logins over TLS only."""

    def __init__(self, bindir: Path, base_dir: Path, port: int, password: str) -> None:
        self.bindir = bindir
        self.base_dir = base_dir
        self.data_dir = base_dir / "data"
        self.socket_dir = base_dir
        self.log_file = base_dir / "server.log"
        self.host = HOST
        self.port = port
        self.superuser = SUPERUSER
        self.password = password
        self.startup_seconds = 0.0  # initdb and first start, set by running_pg_cluster
        self.ca_file = base_dir / "test-ca.pem"  # the throwaway CA that signed the server's certificate
        self.ca: trustme.CA | None = None

    @property
    def tls_params(self) -> dict[str, str]:
        """libpq parameters that make a client verify this server (name and CA), as production must."""
        return {"sslmode": "verify-full", "sslrootcert": str(self.ca_file)}

    @classmethod
    def create(cls, bindir: Path | None = None) -> PgCluster:
        """Create a new cluster (initdb) in a fresh temporary folder; not started yet."""
        base_dir = Path(tempfile.mkdtemp(prefix="counter-pg-"))
        cluster = cls(bindir or find_bindir(), base_dir, free_port(), secrets.token_urlsafe(24))
        try:
            cluster._give_to_server_account(base_dir)
            cluster._initdb()
        except BaseException:
            shutil.rmtree(base_dir, ignore_errors=True)
            raise
        return cluster

    # -- life cycle --------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the server and wait until it accepts connections; retries on another port if taken."""
        for attempt in range(3):
            try:
                self._pg_ctl("start", "-l", str(self.log_file), "-o", f"-p {self.port}")
                break
            except RuntimeError:
                if attempt == 2 or "could not bind" not in self.log_tail():
                    raise
                self.port = free_port()

    def stop(self) -> None:
        """Stop the server at once (fast mode: open sessions are cut)."""
        self._pg_ctl("stop", "-m", "fast")

    def restart(self) -> None:
        """Restart the server (fast mode): every open connection breaks, the data stays."""
        self._pg_ctl("restart", "-m", "fast", "-l", str(self.log_file), "-o", f"-p {self.port}")

    def is_running(self) -> bool:
        return self._run([str(self.bindir / "pg_ctl"), "status", "-D", str(self.data_dir)], check=False) == 0

    def destroy(self) -> None:
        """Stop the server if it runs and remove the whole folder."""
        try:
            if self.data_dir.is_dir() and self.is_running():
                self.stop()
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    # -- clients -----------------------------------------------------------------------------------------

    def url(self, dbname: str, user: str | None = None, password: str | None = None, driver: str = "") -> str:
        """A `postgresql://` URL (`postgresql+<driver>://` for SQLAlchemy); no user means the superuser."""
        if user is None:
            user, password = self.superuser, password or self.password
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        credentials = quote(user, safe="")
        if password is not None:
            credentials += ":" + quote(password, safe="")
        query = "&".join(f"{key}={quote(value, safe='/')}" for key, value in self.tls_params.items())
        return f"{scheme}://{credentials}@{self.host}:{self.port}/{quote(dbname, safe='')}?{query}"

    def admin_connect(self, dbname: str = "postgres") -> psycopg.Connection[TupleRow]:
        """A superuser connection in autocommit mode (CREATE DATABASE cannot run in a transaction)."""
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.superuser,
            password=self.password,
            dbname=dbname,
            autocommit=True,
            **self.tls_params,
        )

    def create_database(self, name: str, template: str | None = None, owner: str | None = None) -> str:
        """Create a database (optionally a copy of `template`) and return its superuser URL."""
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        if owner is not None:
            query += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
        with self.admin_connect() as conn:
            conn.execute(query)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database if it exists, closing the sessions still connected to it."""
        with self.admin_connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    # -- internals ---------------------------------------------------------------------------------------

    def _initdb(self) -> None:
        pwfile = self.base_dir / "superuser.pw"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        self._give_to_server_account(pwfile)
        try:
            self._run(
                [
                    str(self.bindir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    self.superuser,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "--no-sync",
                    "--no-instructions",
                    # Without these, a machine without LANG gives SQL_ASCII and lower() ignores Vietnamese letters.
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)
        self._make_certificates()
        settings = dict(
            _TEST_SETTINGS,
            unix_socket_directories=f"'{self.socket_dir}'",
            ssl="on",
            ssl_cert_file="'server.crt'",
            ssl_key_file="'server.key'",
        )
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# counter_app test cluster\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        (self.data_dir / "pg_hba.conf").write_text(_HBA)

    def _make_certificates(self) -> None:
        """A throwaway CA and the server's certificate for 127.0.0.1 and localhost, signed by it."""
        ca = self.ca = trustme.CA()  # kept: the tests' sync service gets its certificate from the same CA
        ca.cert_pem.write_to_path(str(self.ca_file))
        issued = ca.issue_cert(HOST, "localhost")
        cert, key = self.data_dir / "server.crt", self.data_dir / "server.key"
        issued.cert_chain_pems[0].write_to_path(str(cert))
        issued.private_key_pem.write_to_path(str(key))
        key.chmod(0o600)  # the server refuses a key others can read
        for path in (cert, key):
            self._give_to_server_account(path)

    def _pg_ctl(self, action: str, *args: str) -> None:
        self._run([str(self.bindir / "pg_ctl"), action, "-D", str(self.data_dir), "-w", "-t", "60", *args])

    def _run(self, args: list[str], check: bool = True) -> int:
        if os.geteuid() == 0:
            args = ["runuser", "-u", SERVER_ACCOUNT, "--", *args]
        # cwd: the server account cannot read root's working folder and pg_ctl complains about it.
        result = subprocess.run(args, cwd=self.base_dir, capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            raise RuntimeError(
                f"PostgreSQL test cluster: `{' '.join(args)}` failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}\n--- server log ---\n{self.log_tail()}"
            )
        return result.returncode

    @staticmethod
    def _give_to_server_account(path: Path) -> None:
        if os.geteuid() != 0:
            return
        try:
            account = pwd.getpwnam(SERVER_ACCOUNT)
        except KeyError:
            raise RuntimeError(
                f"running as root, the test cluster needs the `{SERVER_ACCOUNT}` account "
                "(created by the postgresql-15 package)"
            ) from None
        os.chown(path, account.pw_uid, account.pw_gid)


@contextlib.contextmanager
def running_pg_cluster() -> Iterator[PgCluster]:
    """A started cluster for the duration of the block; stopped and removed afterwards."""
    started = time.perf_counter()
    cluster = PgCluster.create()
    try:
        cluster.start()
        cluster.startup_seconds = time.perf_counter() - started
        yield cluster
    finally:
        cluster.destroy()
