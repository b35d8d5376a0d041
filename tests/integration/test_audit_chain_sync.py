"""The audit chain on the central: hashes carried both ways, forks and rewrites refused inside PostgreSQL, and
`audit verify` comparing this counter's chain with the central's copy.

The keys and the counter's sync credential live in a real Secret Service (gnome-keyring on a private bus); the
command line runs as a separate process that reaches the same keyring. Counters sync through the sync service.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import keyring
import psycopg
import pytest
from support.pg_cluster import free_port
from sync_helpers import AGENCY_A, Central, MakeCounter, accept_many, central_events, cli, cli_env, sync

from counter_app.bootstrap import Services
from counter_app.domain.audit_chain import ChainLink, link_hash
from counter_app.errors import RuleError

LINK_COLUMNS = "uuid, kind, dossier_uuid, payload, occurred_at, agency_code, counter, seq, clerk, prev_hash, hash"


@pytest.fixture
def keyring_env(secret_service_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path, dict(secret_service_env))


CREDENTIAL_USER = f"sync-credential:{AGENCY_A}:1"


@pytest.fixture
def counter_one(central: Central, make_counter: MakeCounter, keyring_env: dict[str, str]) -> Iterator[Services]:
    """Counter A1 whose settings name the sync service and its CA, and whose credential the first sync kept in
    the keyring; three dossiers taken in and synced."""
    services = make_counter(AGENCY_A, 1)
    services.setup.set_setting("central_url", central.service_url())
    services.setup.set_setting("central_ca_file", central.ca_file)
    accept_many(services, 3)
    assert services.sync.sync_now(credential=central.credential(AGENCY_A, 1)).pushed == 3
    assert keyring.get_password("counter_app", CREDENTIAL_USER) == central.credential(AGENCY_A, 1)
    yield services
    keyring.delete_password("counter_app", CREDENTIAL_USER)


def local_links(services: Services) -> list[ChainLink]:
    with sqlite3.connect(services.context.database.path) as conn:
        rows = conn.execute(f"SELECT {LINK_COLUMNS} FROM event WHERE counter = 1 ORDER BY seq").fetchall()
    return [ChainLink(*row) for row in rows]


def central_links(central: Central) -> list[tuple[str, int, str, str]]:
    with central.admin() as conn:
        rows = conn.execute(
            "SELECT uuid::text, seq, prev_hash, hash FROM central.event WHERE counter = 1 ORDER BY seq"
        ).fetchall()
    return [(str(u), int(str(s)), str(p), str(h)) for u, s, p, h in rows]


def audit_verify(services: Services, tmp_path: Path, env: dict[str, str]) -> tuple[int, dict[str, object], str]:
    done = cli(tmp_path, "--db", str(services.context.database.path), "audit", "verify", "--json", env=env)
    return done.returncode, json.loads(done.stdout), done.stderr


def rewrite_from(services: Services, seq: int, *, resend: bool) -> None:
    """What only the key holder can do: change event `seq`'s content and re-seal the chain from there on."""
    key, _home = services.context.audit_keys.existing_key(AGENCY_A, 1)  # type: ignore[union-attr]
    assert key is not None
    links = local_links(services)
    prev = links[seq - 2].hash if seq > 1 else ""
    with sqlite3.connect(services.context.database.path) as conn:
        for link in links[seq - 1 :]:
            changed = replace(link, prev_hash=prev, hash="")
            if link.seq == seq:
                payload = json.loads(link.payload) | {"note": "sửa sau khi đồng bộ"}
                changed = replace(changed, payload=json.dumps(payload, ensure_ascii=False, sort_keys=True))
            changed = replace(changed, hash=link_hash(key, changed))
            conn.execute(
                "UPDATE event SET payload = ?, prev_hash = ?, hash = ? WHERE uuid = ?",
                (changed.payload, changed.prev_hash, changed.hash, link.uuid),
            )
            if resend:  # listed in the outbox again: the next push sends it
                conn.execute("INSERT OR IGNORE INTO event_outbox (seq, uuid) VALUES (?, ?)", (link.seq, link.uuid))
            prev = changed.hash


def test_an_honest_sync_carries_the_chain_and_the_central_copy_verifies(
    central: Central,
    counter_one: Services,
    make_counter: MakeCounter,
    keyring_env: dict[str, str],
    tmp_path: Path,
) -> None:
    links = local_links(counter_one)
    assert [(x.uuid, x.seq, x.prev_hash, x.hash) for x in links] == central_links(central)
    assert all(x.hash for x in links)
    accept_many(counter_one, 2, start=10)
    assert counter_one.sync.sync_now().pushed == 2  # the next batch continues the head the central holds
    with central.admin() as conn:
        head = conn.execute("SELECT seq, hash FROM central.chain_head WHERE counter = 1").fetchone()
    assert head == (5, local_links(counter_one)[-1].hash)
    # another counter pulls the events with their links as they are
    other = make_counter(AGENCY_A, 2)
    sync(other, central, AGENCY_A, 2)
    with sqlite3.connect(other.context.database.path) as conn:
        pulled = conn.execute("SELECT uuid, seq, prev_hash, hash FROM event WHERE counter = 1 ORDER BY seq").fetchall()
    assert pulled == central_links(central)
    assert other.audit.verify().ok

    code, report, _stderr = audit_verify(counter_one, tmp_path, keyring_env)

    assert code == 0, report
    assert report["central"] == {
        "status": "ok",
        "checked": 5,
        "message": "Bản sao trên máy chủ trung tâm khớp với nhật ký trên máy này (5 sự kiện).",
    }


def test_a_rewritten_event_re_pushed_is_refused_and_nothing_of_the_batch_lands(
    central: Central, counter_one: Services, keyring_env: dict[str, str], tmp_path: Path
) -> None:
    before = central_events(central)
    rewrite_from(counter_one, 2, resend=True)
    accept_many(counter_one, 1, start=20)  # a new event after the rewritten ones, in the same batch
    assert counter_one.audit.verify(central=False).ok  # the key holder's rewrite is invisible locally

    with pytest.raises(RuleError, match="từ chối đồng bộ") as refused:
        counter_one.sync.sync_now()
    assert "sự kiện số 2" in refused.value.message
    assert central_events(central) == before  # the new event did not land either
    # the command line: the same refusal, exit 2, in Vietnamese
    done = cli(tmp_path, "--db", str(counter_one.context.database.path), "sync", env=keyring_env)
    assert done.returncode == 2, done.stderr
    assert "Máy chủ trung tâm từ chối đồng bộ" in done.stderr
    assert central_events(central) == before


def test_a_rewrite_is_refused_inside_the_database_whatever_the_client_sends(
    central: Central, counter_one: Services
) -> None:
    """The service's role acting for the counter, bypassing the service's own checks (as a bug in them would):
    ON CONFLICT DO NOTHING does not hide a rewrite."""
    first = local_links(counter_one)[0]
    with central.as_service(AGENCY_A, 1) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="event_no_rewrite"):
            conn.execute(
                f"INSERT INTO central.event ({LINK_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT DO NOTHING",
                [
                    first.uuid,
                    first.kind,
                    first.dossier_uuid,
                    '{"x": 1}',
                    first.occurred_at,
                    AGENCY_A,
                    1,
                    1,
                    "",
                    "",
                    "0" * 64,
                ],
            )
        # a link that does not continue the head: refused by the central's chain check
        with pytest.raises(psycopg.DatabaseError, match="does not continue the head") as forked:
            conn.execute(
                f"INSERT INTO central.event ({LINK_COLUMNS}) "
                "VALUES (gen_random_uuid(), 'dossier.flagged', NULL, '{}', now(), %s, 1, 4, '', %s, %s)",
                [AGENCY_A, "e" * 64, "f" * 64],
            )
        assert forked.value.sqlstate == "CA409"
        # nor may a counter record a withheld link that does not continue it
        with pytest.raises(psycopg.DatabaseError, match="does not continue the head"):
            conn.execute("SELECT central.withhold_event(gen_random_uuid(), 9, '', %s, 'x')", ["f" * 64])
    assert len(central_events(central)) == 3


def test_a_fork_of_the_sent_chain_is_refused(central: Central, counter_one: Services) -> None:
    """The newest sent event re-sealed with other content (left marked sent), then a new event after it."""
    before = central_events(central)
    rewrite_from(counter_one, 3, resend=False)
    accept_many(counter_one, 1, start=30)

    with pytest.raises(RuleError, match="không được nối tiếp") as refused:
        counter_one.sync.sync_now()

    assert "máy chủ đang giữ đến sự kiện số 3" in refused.value.message
    assert refused.value.exit_code == 2
    assert central_events(central) == before
    last = counter_one.sync.last_sync()
    assert last is not None and not last.ok and "từ chối" in last.message


@pytest.mark.parametrize(
    ("change", "what", "seq"),
    [
        ("UPDATE central.event SET payload = '{}' WHERE counter = 1 AND seq = 2", "central_edited", 2),
        ("UPDATE central.event SET hash = repeat('0', 64) WHERE counter = 1 AND seq = 1", "central_edited", 1),
        ("DELETE FROM central.event WHERE counter = 1 AND seq = 2", "central_missing", 2),
        (
            "INSERT INTO central.event (uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk, lamport) "
            f"VALUES (gen_random_uuid(), 'dossier.flagged', '{{}}', now(), '{AGENCY_A}', 1, 4, '', 0)",
            "central_extra",
            4,
        ),
    ],
)
def test_a_central_row_changed_by_a_superuser_is_reported_by_audit_verify(
    central: Central,
    counter_one: Services,
    keyring_env: dict[str, str],
    tmp_path: Path,
    change: str,
    what: str,
    seq: int,
) -> None:
    with central.admin() as conn:
        conn.execute("SET session_replication_role = replica")  # a superuser goes around the triggers too
        conn.execute(change)

    code, report, stderr = audit_verify(counter_one, tmp_path, keyring_env)

    assert code == 4, report
    broken = report["broken"]
    assert isinstance(broken, dict)
    assert (broken["what"], broken["seq"], broken["counter"]) == (what, seq, 1)
    assert report["central"]["status"] == "broken"  # type: ignore[index]
    assert "máy chủ trung tâm" in stderr
    assert counter_one.audit.verify(central=False).ok  # the local chain itself is intact


def test_an_unreachable_central_is_reported_and_the_local_verdict_stands(
    counter_one: Services, keyring_env: dict[str, str], tmp_path: Path
) -> None:
    counter_one.setup.set_setting("central_url", f"https://127.0.0.1:{free_port()}")  # nothing listens there
    code, report, _stderr = audit_verify(counter_one, tmp_path, keyring_env)

    assert code == 0, report
    assert report["ok"] is True
    central = report["central"]
    assert isinstance(central, dict) and central["status"] == "unavailable"
    assert "Không kiểm tra được bản sao trên máy chủ trung tâm" in str(central["message"])
