"""Counters hold no PostgreSQL login (issue 18): registering them makes no role, and an upgraded central ends the
logins the old `add-counter` made, while their counters' credentials keep working through the sync service.

Real PostgreSQL (the suite's cluster) and, for the credential, the real sync service over TLS.
"""

from __future__ import annotations

import itertools
import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg.rows import TupleRow
from support.pg_cluster import PgCluster
from support.sync_service import REPO, running_sync_service

from counter_app.central.credentials import issue_credential
from counter_app.errors import RuleError
from counter_app.sync.central_admin import (
    add_agency,
    add_counter,
    head_revision,
    init_central,
)
from counter_app.sync.central_schema import roles_for
from counter_app.sync.central_url import parse_central_url

AGENCY_A = "000.17.22.H56"
AGENCY_B = "000.18.23.H29"
_databases = itertools.count(1)


@pytest.fixture
def dbname(pg_cluster: PgCluster) -> Iterator[str]:
    name = f"central_logins_{os.getpid()}_{next(_databases)}"
    pg_cluster.create_database(name)
    yield name
    pg_cluster.drop_database(name)


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
    }


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "counter_app", *args],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=REPO,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def _logins(cluster: PgCluster) -> set[str]:
    with cluster.admin_connect() as conn:
        return {str(r[0]) for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolcanlogin").fetchall()}


def _group_members(cluster: PgCluster, dbname: str) -> set[str]:
    with cluster.admin_connect() as conn:
        rows = conn.execute(
            "SELECT m.rolname FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid "
            "JOIN pg_roles m ON m.oid = am.member WHERE g.rolname = %s",
            [roles_for(dbname).counters],
        ).fetchall()
    return {str(r[0]) for r in rows}


def _role_names(cluster: PgCluster, dbname: str) -> list[str | None]:
    with cluster.admin_connect(dbname) as conn:
        return [r[0] for r in conn.execute("SELECT role_name FROM central.counter ORDER BY agency_code, number")]


def test_fifty_counters_add_no_login_and_the_cli_prints_only_the_credential(
    pg_cluster: PgCluster, dbname: str, tmp_path: Path
) -> None:
    admin_text = pg_cluster.url(dbname)
    admin = parse_central_url(admin_text)
    early = _cli(tmp_path, "central", "revoke-counter", "--url", admin_text, "--agency", AGENCY_A, "--counter", "1")
    assert (early.returncode, "chưa được khởi tạo" in early.stderr) == (2, True), early.stderr
    init_central(admin, None)
    add_agency(admin, None, code=AGENCY_A, name="UBND phường Bến Thành", counter_digits=2)
    before = _logins(pg_cluster)

    registered = [add_counter(admin, None, agency_code=AGENCY_A, counter=k) for k in range(1, 51)]

    assert _logins(pg_cluster) == before
    assert [(r.agency_code, r.counter) for r in registered] == [(AGENCY_A, k) for k in range(1, 51)]
    assert _role_names(pg_cluster, dbname) == [None] * 50
    assert _group_members(pg_cluster, dbname) == {roles_for(dbname).service}
    with pytest.raises(RuleError, match="mỗi số quầy chỉ được cấp một lần"):
        add_counter(admin, None, agency_code=AGENCY_A, counter=7)

    done = _cli(
        tmp_path, "central", "add-counter", "--url", admin_text, "--agency", AGENCY_A, "--counter", "51", "--json"
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert set(printed) == {"agency", "counter", "credential"}
    assert (printed["agency"], printed["counter"]) == (AGENCY_A, 51)
    assert printed["credential"].startswith("cc1.")

    text = _cli(tmp_path, "central", "add-counter", "--url", admin_text, "--agency", AGENCY_A, "--counter", "52")
    assert text.returncode == 0, text.stderr
    credential = next(w for w in text.stdout.split() if w.startswith("cc1."))
    assert text.stdout.count(credential) == 1
    assert "chỉ hiển thị một lần" in text.stdout
    assert "counter-app sync --central https://… --credential-stdin" in text.stdout
    again = _cli(tmp_path, "central", "add-counter", "--url", admin_text, "--agency", AGENCY_A, "--counter", "52")
    assert again.returncode == 2
    assert "mỗi số quầy chỉ được cấp một lần" in again.stderr
    assert _logins(pg_cluster) == before


def _central_at_c0007(cluster: PgCluster, dbname: str) -> None:
    """`central init` as the code of revision c0007 ran it (schema, group roles, the migrations up to c0007)."""
    init_central(parse_central_url(cluster.url(dbname)), None, revision="c0007")


def _old_add_counter(cluster: PgCluster, dbname: str, agency: str, number: int) -> tuple[str, str]:
    """What `add-counter` did before c0008: a login role in the counters' group, named in the registry."""
    roles = roles_for(dbname)
    role = f"{roles.prefix}_{agency.replace('.', '_').lower()}_{number}"
    password = f"old-password-{number}"
    with cluster.admin_connect(dbname) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(role), sql.Literal(password), sql.Identifier(roles.counters)
            )
        )
        conn.execute(
            "INSERT INTO central.counter (agency_code, number, role_name, label) VALUES (%s, %s, %s, '')",
            [agency, number, role],
        )
    return role, password


def _connect_as(cluster: PgCluster, dbname: str, role: str, password: str) -> psycopg.Connection[TupleRow]:
    return psycopg.connect(
        host=cluster.host,
        port=cluster.port,
        user=role,
        password=password,
        dbname=dbname,
        autocommit=True,
        **cluster.tls_params,
    )


def test_an_upgraded_central_ends_the_old_counter_logins_and_their_credentials_still_work(
    pg_cluster: PgCluster, dbname: str, tmp_path: Path
) -> None:
    admin_text = pg_cluster.url(dbname)
    admin = parse_central_url(admin_text)
    roles = roles_for(dbname)
    _central_at_c0007(pg_cluster, dbname)
    add_agency(admin, None, code=AGENCY_A, name="UBND phường Bến Thành")
    add_agency(admin, None, code=AGENCY_B, name="UBND phường Sài Gòn")
    before = _logins(pg_cluster)
    old = [_old_add_counter(pg_cluster, dbname, a, k) for a, k in ((AGENCY_A, 1), (AGENCY_A, 2), (AGENCY_B, 1))]
    credential_a1 = issue_credential(admin, None, agency_code=AGENCY_A, counter=1)
    # the old way really worked: the login maps to its agency and reads its agency's registry
    role_a1, password_a1 = old[0]
    with _connect_as(pg_cluster, dbname, role_a1, password_a1) as conn:
        assert conn.execute("SELECT central.agency_of(current_user)").fetchone() == (AGENCY_A,)
        assert conn.execute("SELECT count(*) FROM central.counter").fetchone() == (2,)
    # a login someone put in the group by hand, named in no registry row
    with pg_cluster.admin_connect(dbname) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE stray_member LOGIN PASSWORD 'stray' IN ROLE {}").format(sql.Identifier(roles.counters))
        )
    assert _logins(pg_cluster) == before | {role for role, _ in old} | {"stray_member"}

    upgraded = _cli(tmp_path, "central", "init", "--url", admin_text, "--json")

    assert upgraded.returncode == 0, upgraded.stderr
    assert json.loads(upgraded.stdout)["revision"] == head_revision()
    assert _logins(pg_cluster) == before | {"stray_member"}  # the counters' logins are gone
    assert _group_members(pg_cluster, dbname) == {roles.service}
    assert _role_names(pg_cluster, dbname) == [None, None, None]
    with pytest.raises(psycopg.OperationalError):
        _connect_as(pg_cluster, dbname, role_a1, password_a1).close()
    # no policy is satisfied by a role's name any more: a login named in the registry sees nothing
    with pg_cluster.admin_connect(dbname) as conn:
        conn.execute(sql.SQL("GRANT {} TO stray_member").format(sql.Identifier(roles.counters)))
        conn.execute("UPDATE central.counter SET role_name = 'stray_member' WHERE agency_code = %s", [AGENCY_B])
    with _connect_as(pg_cluster, dbname, "stray_member", "stray") as conn:
        assert conn.execute("SELECT central.agency_of(current_user), central.counter_of(current_user)").fetchone() == (
            None,
            None,
        )
        assert conn.execute("SELECT count(*) FROM central.counter").fetchone() == (0,)
    with pg_cluster.admin_connect(dbname) as conn:
        conn.execute("UPDATE central.counter SET role_name = NULL")
        conn.execute("DROP ROLE stray_member")

    # the counters themselves go on through the sync service: the credential issued before, and a new one
    credential_b1 = issue_credential(admin, None, agency_code=AGENCY_B, counter=1)
    with running_sync_service(pg_cluster, dbname, tmp_path / "service", _env(tmp_path)) as service:
        for credential, agency in ((credential_a1, AGENCY_A), (credential_b1, AGENCY_B)):
            with httpx.Client(
                base_url=service.urls[0],
                verify=ssl.create_default_context(cafile=str(service.ca_file)),
                headers={"Authorization": f"Bearer {credential}"},
                timeout=60,
            ) as client:
                hello = client.get("/v1/hello")
                assert hello.status_code == 200, hello.text
                assert (hello.json()["agency_code"], hello.json()["counter"]) == (agency, 1)
                assert hello.json()["revision"] == head_revision()
                counters = client.get("/v1/counters")
                assert counters.status_code == 200, counters.text
                assert {(a, n) for a, n, _label in counters.json()} == (
                    {(AGENCY_A, 1), (AGENCY_A, 2)} if agency == AGENCY_A else {(AGENCY_B, 1)}
                )
    # and central init again is a no-op that makes no login either (the service's own login stays: one for all)
    logins = _logins(pg_cluster)
    assert json.loads(_cli(tmp_path, "central", "init", "--url", admin_text, "--json").stdout)["upgraded"] is False
    assert _logins(pg_cluster) == logins
