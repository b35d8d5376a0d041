"""Helpers of the sync tests: the central of a test, counters, the command line in a subprocess."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row
from sqlalchemy import select
from support.pg_cluster import PgCluster

from counter_app.bootstrap import Services
from counter_app.domain.clock import to_vn
from counter_app.domain.dossier import DossierState, replay
from counter_app.domain.intake import IntakeForm
from counter_app.services.common.views import IntakeResult
from counter_app.storage.models import DELIVERY_STATE, DossierRow, EventRow
from counter_app.sync.central_admin import CounterAccount, add_counter
from counter_app.sync.central_schema import state_from_central
from counter_app.sync.central_url import parse_central_url
from counter_app.sync.report import SyncReport

REPO = Path(__file__).resolve().parents[2]
AGENCY_A = "000.17.22.H56"
AGENCY_B = "000.18.23.H29"
MakeCounter = Callable[..., Services]
AGENCY_NAMES = {AGENCY_A: "UBND phường Bến Thành", AGENCY_B: "UBND phường Sài Gòn"}


@dataclass
class Central:
    """One central database of the test cluster, initialised, with agencies A and B registered."""

    cluster: PgCluster
    dbname: str
    accounts: dict[tuple[str, int], CounterAccount] = field(default_factory=dict)

    @property
    def admin_url(self) -> str:
        return self.cluster.url(self.dbname)

    def add_counter(self, agency: str, number: int) -> CounterAccount:
        account = add_counter(parse_central_url(self.admin_url), None, agency_code=agency, counter=number)
        self.accounts[(agency, number)] = account
        return account

    def counter_url(self, agency: str, number: int, *, with_password: bool = True) -> str:
        account = self.accounts.get((agency, number)) or self.add_counter(agency, number)
        return self.cluster.url(self.dbname, account.role, account.password if with_password else None)

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return self.cluster.admin_connect(self.dbname)

    def as_counter(self, agency: str, number: int) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.counter_url(agency, number), autocommit=True)

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
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "counter_app", *args],
        capture_output=True,
        text=True,
        env=env or cli_env(tmp_path),
        cwd=REPO,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def cli_popen(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "counter_app", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or cli_env(tmp_path),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )


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


def sync(services: Services, central: Central, agency: str, number: int, **kwargs: object) -> SyncReport:
    return services.sync.sync_now(central_url=central.counter_url(agency, number), **kwargs)  # type: ignore[arg-type]


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
            "SELECT dossier_uuid::text, kind, payload, occurred_at FROM central.event "
            'ORDER BY dossier_uuid, occurred_at, agency_code COLLATE "C", counter, seq'
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
