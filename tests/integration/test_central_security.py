"""Security inside the central database: what a counter's login may read and write, checked by logging in as it."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
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

EVENT_COLUMNS = "uuid, dossier_uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk"


@pytest.fixture
def two_agencies(central: Central, make_counter: MakeCounter) -> tuple[list[str], list[str]]:
    """Agency A (counter 1) and agency B (counter 1) each pushed their dossiers; returns their uuids."""
    a = make_counter(AGENCY_A, 1)
    b = make_counter(AGENCY_B, 1)
    a_uuids = [r.uuid for r in accept_many(a, 6)]
    b_uuids = [r.uuid for r in accept_many(b, 4, start=50)]
    sync(a, central, AGENCY_A, 1)
    sync(b, central, AGENCY_B, 1)
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


def test_a_counter_reads_only_its_agency_rows(central: Central, two_agencies: tuple[list[str], list[str]]) -> None:
    a_uuids, b_uuids = two_agencies
    with central.as_counter(AGENCY_A, 1) as conn:
        dossiers = {str(r[0]) for r in conn.execute("SELECT uuid FROM central.dossier").fetchall()}
        events = {str(r[0]) for r in conn.execute("SELECT dossier_uuid FROM central.event").fetchall()}
        agencies = {r[0] for r in conn.execute("SELECT DISTINCT agency_code FROM central.event").fetchall()}
        registry = conn.execute("SELECT agency_code, number FROM central.counter").fetchall()
        b_by_uuid = conn.execute("SELECT count(*) FROM central.dossier WHERE uuid = %s", [b_uuids[0]]).fetchone()
    assert dossiers == set(a_uuids)
    assert events == set(a_uuids)
    assert agencies == {AGENCY_A}
    assert registry == [(AGENCY_A, 1)]
    assert b_by_uuid == (0,)


def test_a_counter_cannot_change_or_delete_another_agency_rows(
    central: Central, two_agencies: tuple[list[str], list[str]]
) -> None:
    _a_uuids, b_uuids = two_agencies
    before = central_states(central)
    with central.as_counter(AGENCY_A, 1) as conn:
        changed = conn.execute(
            "UPDATE central.dossier SET applicant_name = 'x' WHERE receiving_agency_code = %s", [AGENCY_B]
        )
        assert changed.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM central.dossier WHERE uuid = %s", [b_uuids[0]])
        # moving one's own dossier to another agency is refused too
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "UPDATE central.dossier SET receiving_agency_code = %s, deciding_agency_code = %s", [AGENCY_B] * 2
            )
        # an event in another agency's name, or in another agency's dossier, or as another counter
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            _insert_event(conn, None, AGENCY_B, 1)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="another agency"):
            _insert_event(conn, b_uuids[0], AGENCY_A, 1)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            _insert_event(conn, None, AGENCY_A, 2)
    assert central_states(central) == before
    assert central.count("SELECT count(*) FROM central.event WHERE kind = 'dossier.flagged'") == 0


def test_events_are_insert_only_and_counters_have_no_ddl(
    central: Central, two_agencies: tuple[list[str], list[str]]
) -> None:
    a_uuids, _b_uuids = two_agencies
    statements = [
        "UPDATE central.event SET payload = '{}'",
        "DELETE FROM central.event",
        "TRUNCATE central.event",
        "UPDATE central.event SET kind = 'x' WHERE agency_code = '000.17.22.H56'",
        "CREATE TABLE central.mine (x int)",
        "CREATE TABLE public.mine (x int)",
        "DROP TABLE central.event",
        "ALTER TABLE central.event DISABLE ROW LEVEL SECURITY",
        "DROP POLICY event_read ON central.event",
        "SELECT * FROM central.compat",
        "SELECT * FROM central.alembic_version",
        "INSERT INTO central.agency (code, name) VALUES ('000.99.99.H99', 'x')",
        "INSERT INTO central.counter (agency_code, number, role_name) VALUES ('000.17.22.H56', 3, 'x')",
        f"INSERT INTO central.event ({EVENT_COLUMNS}, server_seq) OVERRIDING SYSTEM VALUE "
        "VALUES (gen_random_uuid(), NULL, 'k', '{}', now(), '000.17.22.H56', 1, 999, '', 1)",
    ]
    with central.as_counter(AGENCY_A, 1) as conn:
        for statement in statements:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        # what it may do: read and append its own agency's events, continuing its chain on the central
        head = conn.execute("SELECT seq, hash FROM central.chain_head WHERE counter = 1").fetchone()
        assert head is not None
        _insert_event(conn, a_uuids[0], AGENCY_A, 1, seq=int(str(head[0])) + 1, prev_hash=str(head[1]))
    assert central.count("SELECT count(*) FROM central.event") == 11
    assert central.count("SELECT count(*) FROM central.dossier") == 10


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
