"""Helpers of the sync tests: the central of a test, counters, the command line in a subprocess."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row
from sqlalchemy import select
from support.pg_cluster import PgCluster
from support.sync_service import ServiceCopies, running_sync_service, service_login

from counter_app.bootstrap import Services
from counter_app.central.credentials import issue_credential
from counter_app.central.session import Counter, act_for, configure
from counter_app.domain.clock import to_vn
from counter_app.domain.dossier import DossierState, replay
from counter_app.domain.intake import IntakeForm
from counter_app.services.common.views import IntakeResult
from counter_app.storage.event_order import REPLAY_ORDER_SQL
from counter_app.storage.models import DELIVERY_STATE, DossierRow, EventRow
from counter_app.sync.central_admin import CounterRegistration, add_counter
from counter_app.sync.central_schema import roles_for, state_from_central
from counter_app.sync.central_url import parse_central_url
from counter_app.sync.report import SyncReport

REPO = Path(__file__).resolve().parents[2]
AGENCY_A = "000.17.22.H56"
AGENCY_B = "000.18.23.H29"
MakeCounter = Callable[..., Services]
AGENCY_NAMES = {AGENCY_A: "UBND phường Bến Thành", AGENCY_B: "UBND phường Sài Gòn"}


@dataclass
class Central:
    """One central database of the test cluster, initialised, with agencies A and B registered.

    Counters reach it only through the sync service: one copy is started over TLS on the first `sync` (or the
    `service` fixture's copies are used) and stopped by `close()`, at the `central` fixture's teardown.
    """

    cluster: PgCluster
    dbname: str
    folder: Path | None = None  # the service's certificate and log; None: a temporary folder removed by close()
    registered: dict[tuple[str, int], CounterRegistration] = field(default_factory=dict)
    credentials: dict[tuple[str, int], str] = field(default_factory=dict)
    service: ServiceCopies | None = None
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _service_login: str | None = None

    @property
    def admin_url(self) -> str:
        return self.cluster.url(self.dbname)

    def add_counter(self, agency: str, number: int) -> CounterRegistration:
        """Take counter number `number` of the agency on the central (no database login: issue 18)."""
        taken = add_counter(parse_central_url(self.admin_url), None, agency_code=agency, counter=number)
        self.registered[(agency, number)] = taken
        return taken

    def credential(self, agency: str, number: int) -> str:
        """The counter's credential, issued once (registering the counter first if needed): a second issue
        would end the first."""
        if (agency, number) not in self.credentials:
            if (agency, number) not in self.registered:
                self.add_counter(agency, number)
            url = parse_central_url(self.admin_url)
            self.credentials[(agency, number)] = issue_credential(url, None, agency_code=agency, counter=number)
        return self.credentials[(agency, number)]

    def running_service(self) -> ServiceCopies:
        """The service counters sync through: started (one copy) on first use."""
        if self.service is None:
            folder = self.folder
            if folder is None:
                folder = Path(tempfile.mkdtemp(prefix="counter-service-"))
                self._stack.callback(shutil.rmtree, folder, ignore_errors=True)
            env = cli_env(folder)
            self.service = self._stack.enter_context(running_sync_service(self.cluster, self.dbname, folder, env))
        return self.service

    def use_service(self, copies: ServiceCopies) -> None:
        """Send this central's counters to copies started elsewhere (the `service` fixture's), if none runs yet."""
        if self.service is None:
            self.service = copies

    def service_url(self, copy: int = 0) -> str:
        return self.running_service().urls[copy]

    @property
    def ca_file(self) -> str:
        return str(self.cluster.ca_file)

    def close(self) -> None:
        """Stop the service this central started; the database itself is dropped by its fixture."""
        self.service = None
        self._stack.close()

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return self.cluster.admin_connect(self.dbname)

    def service_login(self) -> str:
        """The `postgresql://` URL of a login that is only a member of the service role (made once)."""
        if self._service_login is None:
            self._service_login = service_login(self.cluster, self.dbname)
        return self._service_login

    @contextlib.contextmanager
    def as_service(
        self, agency: str | None = None, number: int = 1
    ) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        """A session of the sync service's role, set up as the service sets up its pooled sessions and requests
        (central.session): acting for counter (agency, number), or for nobody without an agency. For the checks
        of row-level security behind the service, and for calling the central's side of sync in this process."""
        with psycopg.connect(self.service_login()) as conn:
            configure(conn, roles_for(self.dbname).service)
            if agency is not None:
                act_for(conn, Counter(agency, number, 1, 3))
            yield conn

    def count(self, query: str, *params: object) -> int:
        with self.admin() as conn:
            row = conn.execute(query, params).fetchone()
        assert row is not None
        return int(str(row[0]))


def cli_env(tmp_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a `counter-app` subprocess: this checkout, logs and data in the test's folder."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        # no Secret Service unless a test gives one: keyring must find nothing, not the developer's keyring
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    env.update(extra or {})
    return env


def cli(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`counter-app ARGS` in a subprocess; `input` is its stdin (none: an empty stdin)."""
    return subprocess.run(
        [sys.executable, "-m", "counter_app", *args],
        capture_output=True,
        text=True,
        env=env or cli_env(tmp_path),
        cwd=REPO,
        timeout=timeout,
        **({"input": input} if input is not None else {"stdin": subprocess.DEVNULL}),
        check=False,
    )


def service_sync_args(central: Central, db: Path) -> tuple[str, ...]:
    """`sync` of the counter at `db` through the central's sync service, its credential read from stdin."""
    return (
        *("sync", "--db", str(db), "--central", central.service_url(), "--ca-file", central.ca_file),
        *("--credential-stdin", "--json"),
    )


def cli_popen(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.Popen[str]:
    """`counter-app ARGS` started in a subprocess; `input` is written to its stdin, then closed (none: empty)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "counter_app", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or cli_env(tmp_path),
        cwd=REPO,
        stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
    )
    if input is not None:
        assert process.stdin is not None
        process.stdin.write(input)
        process.stdin.close()
        process.stdin = None  # written and closed: communicate() has nothing more to send
    return process


# -- data ------------------------------------------------------------------------------------------------------

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Võ", "Đặng")
GIVEN = ("Văn An", "Thị Bình", "Minh Châu", "Hữu Dũng", "Ngọc Hà", "Quốc Khang")


def identifier(n: int) -> str:
    """A valid 12-digit personal identifier: HCMC (079), male born in 1990, serial n."""
    return f"0790900{n:05d}"


def accept_many(services: Services, count: int, *, start: int = 0, procedure: str = "DEMO.KH") -> list[IntakeResult]:
    results = []
    for n in range(start, start + count):
        form = IntakeForm(
            procedure_code=procedure,
            name=f"{FAMILY[n % len(FAMILY)]} {GIVEN[n % len(GIVEN)]}",
            identifier=identifier(n),
            address=f"{n} Lê Lợi, phường Bến Thành",
        )
        results.append(services.intake.accept(form))
    return results


def sync(services: Services, central: Central, agency: str, number: int, **kwargs: Any) -> SyncReport:
    """A sync of counter (agency, number) through the central's sync service, over TLS, with its credential."""
    return services.sync.sync_now(
        central_url=central.service_url(),
        credential=central.credential(agency, number),
        ca_file=central.ca_file,
        **kwargs,
    )


def local_events(services: Services, *, origin: str | None = None) -> dict[str, tuple[str, str, int, int]]:
    """uuid -> (kind, payload, counter, delivery: 0 unsent, 1 on the central, 2 dead letter) of a counter's log."""
    with services.context.uow() as uow:
        query = select(EventRow.uuid, EventRow.kind, EventRow.payload, EventRow.counter, DELIVERY_STATE)
        if origin is not None:
            query = query.where(EventRow.origin == origin)
        return {u: (k, p, c, s) for u, k, p, c, s in uow.session.execute(query).all()}


def central_events(central: Central) -> dict[str, tuple[str, str, int]]:
    """uuid -> (kind, payload, counter) of the central's event log, read as an administrator."""
    with central.admin() as conn:
        rows = conn.execute("SELECT uuid::text, kind, payload, counter FROM central.event").fetchall()
    return {str(u): (str(k), str(p), int(str(c))) for u, k, p, c in rows}


def central_states(central: Central) -> dict[str, DossierState]:
    with central.admin() as conn, conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute("SELECT * FROM central.dossier").fetchall()
    return {str(row["uuid"]): state_from_central(row) for row in rows}


def replayed_central_states(central: Central) -> dict[str, DossierState]:
    """Each dossier replayed by the domain from the central's events, in the documented order."""
    with central.admin() as conn:
        rows = conn.execute(
            f"SELECT dossier_uuid::text, kind, payload, occurred_at FROM central.event "
            f"ORDER BY dossier_uuid, {REPLAY_ORDER_SQL}"
        ).fetchall()
    states = {}
    for uuid, group in itertools.groupby(rows, key=lambda r: r[0]):
        state = replay(
            (str(kind), json.loads(str(payload)), to_vn(at))  # type: ignore[arg-type]
            for _u, kind, payload, at in group
        )
        assert state is not None
        states[str(uuid)] = state
    return states


def local_states(services: Services) -> dict[str, DossierState]:
    with services.context.uow() as uow:
        uuids = uow.session.scalars(select(DossierRow.uuid)).all()
        return {u: state for u in uuids if (state := uow.dossiers.get(u)) is not None}


def comparable(state: DossierState) -> DossierState:
    """Timestamps at the second (what both stores keep), so that states from different stores compare."""
    moments: dict[str, Any] = {
        f.name: value.replace(microsecond=0)
        for f in dataclasses.fields(state)
        if isinstance(value := getattr(state, f.name), datetime)
    }
    return dataclasses.replace(state, **moments)


def assert_central_holds_each_local_event_once(central: Central, events: dict[str, tuple[str, str, int, int]]) -> None:
    """The central holds exactly these events, each once, as recorded; its dossier rows are their replay."""
    on_central = central_events(central)
    assert set(on_central) == set(events)
    assert central.count("SELECT count(*) FROM central.event") == len(events)
    assert central.count("SELECT count(DISTINCT (agency_code, counter, seq)) FROM central.event") == len(events)
    assert all(on_central[u][:2] == e[:2] for u, e in events.items())
    assert {u: comparable(s) for u, s in central_states(central).items()} == {
        u: comparable(s) for u, s in replayed_central_states(central).items()
    }


def kill_while_chunk_waits(central: Central, process: subprocess.Popen[str], sha256: str, what: str) -> None:
    """Kill a `counter-app sync` once chunks 0-4 of the file are on the central and the service's call storing chunk 5
    is in flight, waiting on the row the test holds (chunks 0-4 alone could mean the client had not sent it yet)."""
    deadline = time.monotonic() + 60
    while not (
        central.count("SELECT count(*) FROM central.attachment_chunk WHERE sha256 = %s", sha256) >= 5
        and central.count(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND query LIKE %s",
            "%attachment_chunk%",
        )
        >= 1
    ):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"the sync never reached {what}"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
