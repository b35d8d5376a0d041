"""The audit chain against someone who edits the SQLite file directly: every kind of tampering is named.

The key lives in a real Secret Service (gnome-keyring on a private bus), as on a desktop; the command-line
check runs as a separate process that reaches the same keyring.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from cli.cli_support import Cli
from security.security_support import AGENCY, PERSON_ID, StepClock, event_rows, open_counter, person_form

from counter_app.bootstrap import Services

Tamper = Callable[[Path], str]  # changes the file; returns the uuid the report must name


@pytest.fixture
def chain(tmp_path: Path, secret_service_env: dict[str, str]) -> Iterator[Services]:
    """Counter 1 with six events: two intakes; the first dossier transferred, back, handed over; the second sent."""
    clock = StepClock()
    services = open_counter(tmp_path / "counter" / "c.db", clock)
    first = services.intake.accept(person_form())
    second = services.intake.accept(person_form(name="Lê Văn Tám"))
    assert first.code is not None
    assert second.code is not None
    for step in (services.dossiers.transfer, services.dossiers.result_ready):
        clock.advance(600)
        step(first.code)
    clock.advance(600)
    services.dossiers.hand_over(first.code)
    clock.advance(600)
    services.dossiers.transfer(second.code)
    yield services
    services.close()


def uuid_at(db: Path, seq: int) -> str:
    return str(next(r["uuid"] for r in event_rows(db) if r["seq"] == seq))


def edit_payload(db: Path) -> str:
    """Change what was recorded in event 3 (the first dossier's transfer), leaving its hash alone."""
    with sqlite3.connect(db) as conn:
        payload = json.loads(conn.execute("SELECT payload FROM event WHERE seq = 3").fetchone()[0])
        payload["note"] = "đã sửa"
        conn.execute("UPDATE event SET payload = ? WHERE seq = 3", (json.dumps(payload, ensure_ascii=False),))
    return uuid_at(db, 3)


def delete_row(db: Path) -> str:
    """Remove event 3: the report names seq 3 as missing, and the event found after the gap (seq 4)."""
    after = uuid_at(db, 4)
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM event WHERE seq = 3")
    return after


def insert_forged(db: Path) -> str:
    """Slip a forged event in as seq 3 (the later ones renumbered), pointing at event 2 like a real one would."""
    forged = str(uuid.uuid4())
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        second = conn.execute("SELECT * FROM event WHERE seq = 2").fetchone()
        conn.execute("UPDATE event SET seq = -(seq + 1) WHERE seq >= 3")
        conn.execute("UPDATE event SET seq = -seq WHERE seq < 0")
        values = dict(second) | {
            "uuid": forged,
            "kind": "dossier.withdrawn",
            "payload": json.dumps({"reason": "Công dân rút hồ sơ"}, ensure_ascii=False),
            "seq": 3,
            "prev_hash": second["hash"],
            "hash": hashlib.sha256(forged.encode()).hexdigest(),
        }
        columns = ", ".join(values)
        conn.execute(f"INSERT INTO event ({columns}) VALUES ({', '.join('?' for _ in values)})", list(values.values()))
    return forged


def rehash_without_key(db: Path) -> str:
    """Edit event 3, then recompute plain SHA-256 hashes from there on so that every prev_hash agrees."""
    edit_payload(db)
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        chain = list(conn.execute("SELECT * FROM event ORDER BY seq"))
        prev = chain[1]["hash"]
        for row in chain[2:]:
            body = "|".join(str(row[c]) for c in ("uuid", "kind", "payload", "occurred_at", "seq")) + prev
            digest = hashlib.sha256(body.encode()).hexdigest()
            conn.execute("UPDATE event SET prev_hash = ?, hash = ? WHERE uuid = ?", (prev, digest, row["uuid"]))
            prev = digest
    return uuid_at(db, 3)


def test_an_untouched_chain_verifies_and_its_key_is_in_the_keyring(chain: Services) -> None:
    db = chain.context.database.path
    stored = event_rows(db)
    assert [r["seq"] for r in stored] == [1, 2, 3, 4, 5, 6]
    assert stored[0]["prev_hash"] == ""
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in itertools.pairwise(stored))
    report = chain.audit.verify()
    assert (report.ok, report.checked, report.broken) == (True, 6, None)
    assert keyring.get_password("counter_app", f"audit-key:{AGENCY}:1") is not None
    assert report.key is not None
    assert report.key.storage == "keyring"
    assert not (db.parent / "audit-keys").exists()


def test_the_chain_head_is_the_newest_event(chain: Services) -> None:
    last = event_rows(chain.context.database.path)[-1]
    assert chain.audit.chain_head(AGENCY, 1) == (6, last["hash"])
    assert chain.audit.chain_head(AGENCY, 9) == (0, "")


@pytest.mark.parametrize(
    ("tamper", "what", "seq"),
    [
        (edit_payload, "edited", 3),
        (delete_row, "missing", 3),
        (insert_forged, "inserted", 3),
        (rehash_without_key, "rehashed", 3),
    ],
    ids=["edited", "deleted", "inserted", "rehashed"],
)
def test_tampering_is_found_by_the_service_and_the_command(
    chain: Services, secret_service_env: dict[str, str], tamper: Tamper, what: str, seq: int
) -> None:
    db = chain.context.database.path
    named = tamper(db)

    broken = chain.audit.verify().broken
    assert broken is not None
    assert (broken.agency_code, broken.counter, broken.seq, broken.event_uuid, broken.what.value) == (
        AGENCY,
        1,
        seq,
        named,
        what,
    )

    cli = Cli(db)
    cli.env.update(secret_service_env)  # the command reaches the same keyring
    run = cli("audit", "verify")
    assert run.code == 4, str(run)
    data: dict[str, Any] = json.loads(run.out)
    assert data["ok"] is False
    assert data["checked"] == 3  # events 1 and 2, and the one where the chain breaks
    assert {k: data["broken"][k] for k in ("agency_code", "counter", "seq", "event_uuid", "what")} == {
        "agency_code": AGENCY,
        "counter": 1,
        "seq": seq,
        "event_uuid": named,
        "what": what,
    }
    human = cli.raw(["audit", "verify", "--db", str(db)], env=cli.env)
    assert human.code == 4
    assert f"sự kiện số {seq}" in human.out
    assert "Lỗi: nhật ký kiểm toán bị phá vỡ" in human.err


def _edit_payload_at(db: Path, seq: int) -> str:
    with sqlite3.connect(db) as conn:
        payload = json.loads(conn.execute("SELECT payload FROM event WHERE seq = ?", (seq,)).fetchone()[0])
        payload["note"] = "đã sửa"
        conn.execute("UPDATE event SET payload = ? WHERE seq = ?", (json.dumps(payload, ensure_ascii=False), seq))
    return uuid_at(db, seq)


def edit_newest(db: Path) -> str:
    """Change what was recorded in the newest event (6, the second dossier's transfer): no later row points at it."""
    return _edit_payload_at(db, 6)


def edit_first(db: Path) -> str:
    """Change what was recorded in the first event (the first intake): no earlier row to compare it with."""
    return _edit_payload_at(db, 1)


@pytest.mark.parametrize(
    ("tamper", "seq", "checked"),
    [(edit_newest, 6, 6), (edit_first, 1, 1)],
    ids=["newest", "first"],
)
def test_an_edit_at_either_end_of_the_chain_is_found(
    chain: Services, secret_service_env: dict[str, str], tamper: Tamper, seq: int, checked: int
) -> None:
    """The ends of the chain have no neighbour on one side: each is still checked against its own HMAC."""
    db = chain.context.database.path
    named = tamper(db)

    report = chain.audit.verify()
    assert not report.ok
    assert report.broken is not None
    assert (report.broken.seq, report.broken.event_uuid, report.broken.what.value) == (seq, named, "edited")

    cli = Cli(db)
    cli.env.update(secret_service_env)
    run = cli("audit", "verify")
    assert run.code == 4, str(run)
    data: dict[str, Any] = json.loads(run.out)
    assert data["ok"] is False
    assert data["checked"] == checked  # the first row is judged once the second is seen; the newest at the end
    assert {k: data["broken"][k] for k in ("seq", "event_uuid", "what")} == {
        "seq": seq,
        "event_uuid": named,
        "what": "edited",
    }


def test_the_command_exits_0_on_an_intact_chain(chain: Services, secret_service_env: dict[str, str]) -> None:
    cli = Cli(chain.context.database.path)
    cli.env.update(secret_service_env)
    assert cli("audit", "verify").json() == {
        "ok": True,
        "checked": 6,
        "broken": None,
        "key_storage": "keyring",
        "central": {
            "status": "not_configured",
            "checked": 0,
            "message": "Chưa cấu hình máy chủ trung tâm: không so với bản sao trên máy chủ.",
        },
        "attachment": None,
        "dossiers_differing": [],
        "breaks": [],
    }


def _edit_dossier_row(db: Path, code: str) -> None:
    """What someone with the file does to change a citizen's record without leaving a broken link."""
    with sqlite3.connect(db) as conn:
        changed = conn.execute(
            "UPDATE dossier SET applicant_name = 'Trần Văn Giả', applicant_identifier = '079099999999' WHERE code = ?",
            (code,),
        ).rowcount
    assert changed == 1


def test_a_dossier_row_edited_in_the_file_is_named_with_its_fields(
    chain: Services, secret_service_env: dict[str, str]
) -> None:
    """The chain is intact (no event was touched), yet the row the window shows and a push would send was
    changed: verify replays every dossier from its sealed events and names the rows that differ."""
    db = chain.context.database.path
    edited = sorted(str(v.code) for v in chain.dossiers.find(PERSON_ID) if v.code)[0]
    _edit_dossier_row(db, edited)

    report = chain.audit.verify()
    assert report.broken is None  # no link of the chain is broken
    assert not report.ok
    assert [(d.code, set(d.fields)) for d in report.dossiers] == [(edited, {"applicant_name", "applicant_identifier"})]

    cli = Cli(db)
    cli.env.update(secret_service_env)
    run = cli("audit", "verify")
    assert run.code == 4, str(run)
    data: dict[str, Any] = json.loads(run.out)
    assert data["ok"] is False
    assert [d["code"] for d in data["dossiers_differing"]] == [edited]
    assert "Trần Văn Giả" not in run.out + run.err  # names the fields, never the personal data
    human = cli.raw(["audit", "verify", "--db", str(db)], env=cli.env)
    assert human.code == 4
    assert edited in human.out
    assert "KHÁC với nhật ký" in human.err


def test_a_lamport_edited_in_the_file_to_replay_a_step_elsewhere_is_named_by_its_dossier(chain: Services) -> None:
    """`lamport` orders a dossier's events and is not sealed: an edit of it breaks no link, but the dossier's events
    replayed in the new order (the transfer after the hand-over) no longer make its row, and verify names it."""
    db = chain.context.database.path
    with sqlite3.connect(db) as conn:
        (first,) = conn.execute("SELECT dossier_uuid FROM event WHERE seq = 3").fetchone()
        order = [k for (k,) in conn.execute("SELECT kind FROM event WHERE dossier_uuid = ? ORDER BY lamport", (first,))]
        assert order == ["dossier.accepted", "dossier.transferred", "dossier.result_ready", "dossier.handed_over"]
        conn.execute("UPDATE event SET lamport = 9 WHERE seq = 3")
        (code,) = conn.execute("SELECT code FROM dossier WHERE uuid = ?", (first,)).fetchone()

    report = chain.audit.verify()
    assert report.broken is None  # the chain does not seal the lamport
    assert not report.ok
    assert [d.code for d in report.dossiers] == [code]


def test_a_planted_key_file_does_not_replace_the_keyring_key(chain: Services) -> None:
    """Re-sealing the whole chain with a key of one's own, left where a file key would be, is still found."""
    from counter_app.domain.audit_chain import ChainLink, link_hash

    db = chain.context.database.path
    own_key = b"k" * 32
    keys = chain.context.audit_keys
    assert keys is not None
    path = keys.file_path(AGENCY, 1)
    path.parent.mkdir(parents=True)
    import base64

    path.write_text(base64.b64encode(own_key).decode())
    path.chmod(0o600)
    edit_payload(db)
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        prev = ""
        for row in list(conn.execute("SELECT * FROM event ORDER BY seq")):
            link = ChainLink(
                row["uuid"], row["kind"], row["dossier_uuid"], row["payload"], row["occurred_at"],
                row["agency_code"], row["counter"], row["seq"], row["clerk"], prev,
            )  # fmt: skip
            digest = link_hash(own_key, link)
            conn.execute("UPDATE event SET prev_hash = ?, hash = ? WHERE uuid = ?", (prev, digest, row["uuid"]))
            prev = digest
    broken = chain.audit.verify().broken
    assert broken is not None
    assert (broken.seq, broken.what.value) == (1, "rehashed")


def test_every_independent_tampering_is_named_not_only_the_first(
    chain: Services, secret_service_env: dict[str, str]
) -> None:
    """An edited event no longer hides a later one: `broken` is still the first, `breaks` names both."""
    db = chain.context.database.path
    first = _edit_payload_at(db, 2)
    later = _edit_payload_at(db, 5)

    report = chain.audit.verify()
    assert report.broken is not None
    assert (report.broken.seq, report.broken.event_uuid) == (2, first)
    assert [(b.seq, b.event_uuid, b.what.value) for b in report.breaks] == [(2, first, "edited"), (5, later, "edited")]
    assert report.checked == 2  # as before: the events walked up to the first break

    cli = Cli(db)
    cli.env.update(secret_service_env)
    run = cli("audit", "verify")
    assert run.code == 4, str(run)
    data: dict[str, Any] = json.loads(run.out)
    assert (data["broken"]["seq"], data["broken"]["event_uuid"]) == (2, first)  # the key kept for compatibility
    assert [(b["seq"], b["event_uuid"], b["what"]) for b in data["breaks"]] == [
        (2, first, "edited"),
        (5, later, "edited"),
    ]
    assert data["breaks"][0] == data["broken"]
    human = cli.raw(["audit", "verify", "--db", str(db)], env=cli.env)
    assert human.code == 4
    assert f"sự kiện số 2 ({first})" in human.out
    assert f"sự kiện số 5 ({later})" in human.out
    assert "Còn 1 chỗ bị phá vỡ khác" in human.out
    assert "(và 1 chỗ khác)" in human.err


def _pulled_rows_with_broken_links(db: Path, count: int) -> list[str]:
    """Events 1..count of counter 2 as pulled from the central, every link after the first pointing nowhere."""
    uuids = [str(uuid.uuid4()) for _ in range(count)]
    with sqlite3.connect(db) as conn:
        for seq, event in enumerate(uuids, start=1):
            conn.execute(
                "INSERT INTO event (uuid, dossier_uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk,"
                " origin, sync_state, sync_error, prev_hash, hash)"
                " VALUES (?, NULL, 'calendar.imported', '{}', '2026-03-02T10:00:00+07:00', ?, 2, ?, 'canbo2',"
                " 'central', 1, '', ?, ?)",
                (event, AGENCY, seq, "" if seq == 1 else f"forged-{seq}", f"hash-{seq}"),
            )
    return uuids


def test_many_breaks_are_all_in_the_json_and_the_first_ten_named_in_the_text(
    chain: Services, secret_service_env: dict[str, str]
) -> None:
    db = chain.context.database.path
    uuids = _pulled_rows_with_broken_links(db, 25)
    # a link that follows a broken one is not judged again (its predecessor's break explains it): 2, 4, ..., 24
    expected = [(seq, uuids[seq - 1]) for seq in range(2, 25, 2)]

    report = chain.audit.verify()
    assert [(b.counter, b.seq, b.event_uuid, b.what.value) for b in report.breaks] == [
        (2, seq, event, "inserted") for seq, event in expected
    ]

    cli = Cli(db)
    cli.env.update(secret_service_env)
    run = cli("audit", "verify")
    assert run.code == 4, str(run)
    assert [(b["seq"], b["event_uuid"]) for b in json.loads(run.out)["breaks"]] == expected
    human = cli.raw(["audit", "verify", "--db", str(db)], env=cli.env)
    assert human.code == 4
    named = [event for _seq, event in expected if event in human.out]
    assert named == [event for _seq, event in expected[:10]]
    assert "Còn 11 chỗ bị phá vỡ khác" in human.out
    assert "và 2 chỗ khác." in human.out
