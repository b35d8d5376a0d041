"""Security of the central database now that counters hold no login: a credential opens no PostgreSQL session,
login roles do not grow with counters, and row-level security holds the service's role (defence in depth).

The attacks through the service's API (B's credential against A's dossiers) are in test_service_attacks.py and
test_sync_service_api.py."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sync_helpers import (
    AGENCY_A,
    AGENCY_B,
    Central,
    MakeCounter,
    accept_many,
    central_states,
    cli,
    sync,
)

from counter_app.bootstrap import build_services
from counter_app.errors import RuleError
from counter_app.services.common.clock import SystemClock
from counter_app.sync.central_admin import add_agency
from counter_app.sync.central_schema import roles_for
from counter_app.sync.central_url import parse_central_url

AGENCY_C = "000.19.24.H29"  # two counter digits: room for twenty counters
EVENT_COLUMNS = "uuid, dossier_uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk"


@pytest.fixture
def two_agencies(central: Central, make_counter: MakeCounter) -> tuple[list[str], list[str]]:
    """Agency A (counter 1) and agency B (counter 1) each pushed their dossiers; returns their uuids."""
    a = make_counter(AGENCY_A, 1)
    b = make_counter(AGENCY_B, 1)
    a_uuids = [r.uuid for r in accept_many(a, 6)]
    b_uuids = [r.uuid for r in accept_many(b, 4, start=50)]
    assert sync(a, central, AGENCY_A, 1).failed == 0
    assert sync(b, central, AGENCY_B, 1).failed == 0
    return a_uuids, b_uuids


def _insert_event(
    conn: psycopg.Connection[tuple[object, ...]],
    dossier: str | None,
    agency: str,
    counter: int,
    *,
    seq: int = 999,
    prev_hash: str = "",
) -> None:
    conn.execute(
        f"INSERT INTO central.event ({EVENT_COLUMNS}, prev_hash, hash) "
        "VALUES (%s, %s, 'dossier.flagged', '{}', now(), %s, %s, %s, '', %s, %s)",
        [str(uuid.uuid4()), dossier, agency, counter, seq, prev_hash, "f" * 64],
    )


def _old_counter_login(dbname: str, agency: str, number: int) -> str:
    """The login name the retired `add-counter` gave a counter (central migration c0008 drops such roles)."""
    slug = re.sub(r"[^a-z0-9]+", "_", agency.lower()).strip("_")
    return f"{roles_for(dbname).prefix}_{slug}_{number}"


def test_no_counter_credential_opens_a_postgresql_session(
    central: Central, two_agencies: tuple[list[str], list[str]], make_counter: MakeCounter
) -> None:
    roles = roles_for(central.dbname)
    for agency, number in ((AGENCY_A, 1), (AGENCY_B, 1)):
        credential = central.credential(agency, number)
        users = [
            _old_counter_login(central.dbname, agency, number),
            roles.counters,
            roles.service,
            roles.owner,
            central.cluster.superuser,
            agency,
            f"{agency}-{number}",
            credential,
        ]
        for user in users:
            # the credential as a password for every plausible name, and as the name itself (a bearer token)
            with pytest.raises(psycopg.OperationalError, match="authentication failed"):
                psycopg.connect(central.cluster.url(central.dbname, user, credential), connect_timeout=5).close()
    # nor does a counter reach the database with it: a `postgresql://` address is refused before any connection
    counter = make_counter(AGENCY_A, 3)
    accept_many(counter, 1, start=300)
    direct = central.cluster.url(central.dbname, _old_counter_login(central.dbname, AGENCY_A, 3), "x")
    with pytest.raises(RuleError, match="https://"):
        counter.sync.sync_now(central_url=direct)
    assert counter.sync.pending_count() == 1
    assert central.count("SELECT count(*) FROM central.event") == 10


def test_login_roles_do_not_grow_with_the_number_of_counters(central: Central, tmp_path: Path) -> None:
    """Twenty counters of one agency added, given credentials and synced: not one PostgreSQL role more."""
    logins = "SELECT count(*) FROM pg_roles WHERE rolcanlogin"
    logins_before = central.count(logins)
    central.running_service()  # its own login is made when it starts: counted before the counters come
    logins_with_service = central.count(logins)
    roles_with_service = central.count("SELECT count(*) FROM pg_roles")
    admin = parse_central_url(central.admin_url)
    add_agency(admin, None, code=AGENCY_C, name="UBND phường Tân Định", counter_digits=2)
    counters = []
    try:
        for number in range(1, 21):
            counter = build_services(tmp_path / f"c{number}" / "counter.db", SystemClock())
            counters.append(counter)
            counter.setup.init_local(
                agency_code=AGENCY_C, agency_name="UBND phường Tân Định", counter=number, counter_digits=2
            )
            accept_many(counter, 1, start=number)
            report = sync(counter, central, AGENCY_C, number)
            assert (report.pushed, report.failed) == (1, 0)
    finally:
        for counter in counters:
            counter.close()

    assert central.count("SELECT count(*) FROM central.counter WHERE agency_code = %s", AGENCY_C) == 20
    assert central.count("SELECT count(*) FROM central.event WHERE agency_code = %s", AGENCY_C) == 20
    assert logins_with_service == logins_before + 1
    assert central.count(logins) == logins_with_service
    assert central.count("SELECT count(*) FROM pg_roles") == roles_with_service
    assert central.count("SELECT count(*) FROM central.counter WHERE coalesce(role_name, '') <> ''") == 0


def test_row_level_security_denies_the_service_role_acting_for_nobody(
    central: Central, two_agencies: tuple[list[str], list[str]]
) -> None:
    a_uuids, _b_uuids = two_agencies
    before = central_states(central)
    service_role = sql.Identifier(roles_for(central.dbname).service)
    with psycopg.connect(central.service_login(), autocommit=True) as never_set, central.as_service() as nobody:
        never_set.execute(sql.SQL("SET ROLE {}").format(service_role))  # the settings never set on this session
        for conn in (never_set, nobody):  # and set to nobody, as between two requests (central.session)
            assert conn.execute("SELECT count(*) FROM central.dossier").fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM central.event").fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM central.counter").fetchone() == (0,)
            changed = conn.execute("UPDATE central.dossier SET status = 99 WHERE uuid = %s", [a_uuids[0]])
            assert changed.rowcount == 0
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                _insert_event(conn, a_uuids[0], AGENCY_A, 1)
    assert central_states(central) == before
    assert central.count("SELECT count(*) FROM central.event WHERE kind = 'dossier.flagged'") == 0


def test_the_service_role_acting_for_a_counter_sees_and_writes_only_its_agency_rows(
    central: Central, two_agencies: tuple[list[str], list[str]]
) -> None:
    """Defence in depth behind the service's own checks: a bug that let B's request run any SQL would still be
    held by row-level security and the role's rights to B's rows, insert-only events and no DDL."""
    a_uuids, b_uuids = two_agencies
    before = central_states(central)
    with central.as_service(AGENCY_A, 1) as conn:
        dossiers = {str(r[0]) for r in conn.execute("SELECT uuid FROM central.dossier").fetchall()}
        events = {str(r[0]) for r in conn.execute("SELECT dossier_uuid FROM central.event").fetchall()}
        assert dossiers == events == set(a_uuids)
        changed = conn.execute(
            "UPDATE central.dossier SET applicant_name = 'x' WHERE receiving_agency_code = %s", [AGENCY_B]
        )
        assert changed.rowcount == 0
        # an event in another agency's name, in another agency's dossier, or as another counter
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _insert_event(conn, None, AGENCY_B, 1)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _insert_event(conn, b_uuids[0], AGENCY_A, 1)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _insert_event(conn, None, AGENCY_A, 2)
        for statement in (
            "UPDATE central.event SET payload = '{}'",
            "DELETE FROM central.event",
            "TRUNCATE central.event",
            f"DELETE FROM central.dossier WHERE uuid = '{b_uuids[0]}'",
            "CREATE TABLE central.mine (x int)",
            "CREATE TABLE public.mine (x int)",
            "DROP TABLE central.event",
            "ALTER TABLE central.event DISABLE ROW LEVEL SECURITY",
            "DROP POLICY event_read ON central.event",
            "INSERT INTO central.agency (code, name) VALUES ('000.99.99.H99', 'x')",
            "INSERT INTO central.counter (agency_code, number) VALUES ('000.17.22.H56', 3)",
            f"INSERT INTO central.event ({EVENT_COLUMNS}, server_seq) OVERRIDING SYSTEM VALUE "
            "VALUES (gen_random_uuid(), NULL, 'k', '{}', now(), '000.17.22.H56', 1, 999, '', 1)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    assert central_states(central) == before
    assert central.count("SELECT count(*) FROM central.event") == 10


def test_the_deciding_agency_sees_the_dossier_and_records_steps_the_receiver_pulls(
    central: Central, make_counter: MakeCounter
) -> None:
    receiver = make_counter(AGENCY_A, 1)
    decider = make_counter(AGENCY_B, 1)
    bystander = make_counter(AGENCY_B, 2)
    mine, shared = accept_many(receiver, 2)
    sync(receiver, central, AGENCY_A, 1)
    # B works and syncs: its cursor passes A's events, which B may not see yet
    accept_many(decider, 1, start=70)
    assert sync(decider, central, AGENCY_B, 1).pulled == 0
    receiver.dossiers.transfer(str(shared.code), to_agency=AGENCY_B)
    sync(receiver, central, AGENCY_A, 1)

    pulled = sync(decider, central, AGENCY_B, 1)

    # the shared dossier comes whole (its acceptance lay behind B's cursor), the other A dossier not at all
    assert (pulled.pulled, pulled.failed) == (2, 0)
    assert decider.dossiers.get_dossier(str(shared.code)).status == 4
    assert not decider.dossiers.find(str(mine.code))
    decider.dossiers.result_ready(str(shared.code))
    assert sync(decider, central, AGENCY_B, 1).pushed == 1
    # B's other counter sees what B decides: B's own dossier and the shared one with its three events
    assert sync(bystander, central, AGENCY_B, 2).pulled == 4

    back = sync(receiver, central, AGENCY_A, 1)

    assert back.pulled == 1
    assert receiver.dossiers.get_dossier(str(shared.code)).status == 9
    with central.admin() as conn:
        row = conn.execute(
            "SELECT receiving_agency_code, deciding_agency_code, status FROM central.dossier WHERE uuid = %s",
            [shared.uuid],
        ).fetchone()
    assert row == (AGENCY_A, AGENCY_B, 9)


def test_adding_a_counter_number_twice_is_refused(central: Central, tmp_path: Path) -> None:
    first = cli(
        tmp_path, "central", "add-counter", "--url", central.admin_url, "--agency", AGENCY_A, "--counter", "4", "--json"
    )
    second = cli(
        tmp_path, "central", "add-counter", "--url", central.admin_url, "--agency", AGENCY_A, "--counter", "4", "--json"
    )

    assert first.returncode == 0, first.stderr
    assert second.returncode == 2
    assert "đã được đăng ký" in second.stderr
    assert central.count("SELECT count(*) FROM central.counter WHERE agency_code = %s AND number = 4", AGENCY_A) == 1
