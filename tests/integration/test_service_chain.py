"""`audit verify` compares this counter's chain with the central's copy through the sync service (`GET /v1/chain`).

A real PostgreSQL central and the real service over TLS. The counter's chain holds an event the central refused
(a dead letter, whose link the central keeps without its content) between ordinary ones, so that both kinds of
link are compared. Tampering on either side is reported as the direct comparison over a counter login reported
it; a credential reads its own counter's chain only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sync_helpers import AGENCY_A, AGENCY_B, Central, MakeCounter, accept_many, cli, sync
from sync_service_support import SyncService

from counter_app.bootstrap import Services
from counter_app.domain.audit_chain import ChainLink, link_hash
from counter_app.errors import RuleError
from counter_app.identities import new_uuid
from counter_app.services.audit.chain_checks import AuditReport
from counter_app.sync.service_client import ServiceClient

LINK_COLUMNS = "uuid, kind, dossier_uuid, payload, occurred_at, agency_code, counter, seq, clerk, prev_hash, hash"
REFUSED_SEQ = 3  # the dead letter's place in the fixture's chain: 1, 2 stored, 3 withheld, 4 stored


def local_links(services: Services, counter: int = 1) -> list[ChainLink]:
    with sqlite3.connect(services.context.database.path) as conn:
        rows = conn.execute(f"SELECT {LINK_COLUMNS} FROM event WHERE counter = ? ORDER BY seq", (counter,)).fetchall()
    return [ChainLink(*row) for row in rows]


def audit_key(services: Services) -> bytes:
    assert services.context.audit_keys is not None
    key, _home = services.context.audit_keys.existing_key(AGENCY_A, 1)
    assert key is not None
    return key


def append_refused_event(services: Services) -> ChainLink:
    """An event the counter records and seals with its key, whose payload the central refuses (not a JSON object):
    it becomes a dead letter, the central keeping its link only."""
    last = local_links(services)[-1]
    link = ChainLink(
        str(new_uuid()), "dossier.flagged", None, "[]", last.occurred_at, AGENCY_A, 1, last.seq + 1, "", last.hash
    )
    sealed = replace(link, hash=link_hash(audit_key(services), link))
    with sqlite3.connect(services.context.database.path) as conn:
        conn.execute(
            f"INSERT INTO event ({LINK_COLUMNS}, origin, sync_state, sync_error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'local', 0, '')",
            (
                sealed.uuid,
                sealed.kind,
                sealed.dossier_uuid,
                sealed.payload,
                sealed.occurred_at,
                sealed.agency_code,
                sealed.counter,
                sealed.seq,
                sealed.clerk,
                sealed.prev_hash,
                sealed.hash,
            ),
        )
    return sealed


@pytest.fixture
def counter_one(central: Central, make_counter: MakeCounter) -> Iterator[Services]:
    """Counter A1 set up with the sync service's address and CA; two dossiers, a refused event, a dossier, synced
    (the credential kept by the sync, as a ward PC without a keyring keeps it)."""
    services = make_counter(AGENCY_A, 1)
    services.setup.set_setting("central_url", central.service_url())
    services.setup.set_setting("central_ca_file", central.ca_file)
    accept_many(services, 2)
    refused = append_refused_event(services)
    accept_many(services, 1, start=2)
    report = services.sync.sync_now(credential=central.credential(AGENCY_A, 1))
    assert (report.pushed, report.failed) == (3, 1)
    assert refused.seq == REFUSED_SEQ
    with central.admin() as conn:
        withheld = conn.execute("SELECT uuid::text, seq, hash FROM central.event_withheld").fetchall()
    assert withheld == [(refused.uuid, REFUSED_SEQ, refused.hash)]
    yield services


def central_verdict(report: AuditReport) -> tuple[str, int, str, int] | None:
    """(status, links compared, what broke, at which seq) of the comparison; None for what broke when nothing did."""
    broken = report.broken
    if broken is None:
        return None
    return report.central.status, report.central.checked, broken.what.value, broken.seq


def test_an_honest_chain_verifies_against_the_central_copy_through_the_service(
    counter_one: Services, tmp_path: Path
) -> None:
    report = counter_one.audit.verify()

    assert report.ok, report.as_dict()
    assert report.central.as_dict() == {
        "status": "ok",
        "checked": 4,  # three events and the refused one's link
        "message": "Bản sao trên máy chủ trung tâm khớp với nhật ký trên máy này (4 sự kiện).",
    }
    # the command line, in its own process, finds the credential where the sync kept it
    done = cli(tmp_path, "--db", str(counter_one.context.database.path), "audit", "verify", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["central"]["status"] == "ok"


def test_the_newest_own_events_deleted_here_are_seen_on_the_central(counter_one: Services) -> None:
    """What only the central can see: the chain here is merely shorter, and intact."""
    newest = local_links(counter_one)[-1]
    with sqlite3.connect(counter_one.context.database.path) as conn:
        conn.execute("DELETE FROM event WHERE uuid = ?", (newest.uuid,))
        conn.execute("DELETE FROM dossier WHERE uuid = ?", (newest.dossier_uuid,))
    assert counter_one.audit.verify(central=False).broken is None

    report = counter_one.audit.verify()

    assert central_verdict(report) == ("broken", 4, "central_extra", newest.seq)
    assert "máy chủ trung tâm" in report.central.message


def test_a_chain_rewritten_here_with_the_key_differs_from_the_central_copy(counter_one: Services) -> None:
    """The key holder changes event 2 and re-seals the chain after it: invisible here, not on the central."""
    key = audit_key(counter_one)
    links = local_links(counter_one)
    prev = links[0].hash
    with sqlite3.connect(counter_one.context.database.path) as conn:
        for link in links[1:]:
            changed = replace(link, prev_hash=prev, hash="")
            if link.seq == 2:
                payload = json.loads(link.payload) | {"note": "sửa sau khi đồng bộ"}
                changed = replace(changed, payload=json.dumps(payload, ensure_ascii=False, sort_keys=True))
            changed = replace(changed, hash=link_hash(key, changed))
            conn.execute(
                "UPDATE event SET payload = ?, prev_hash = ?, hash = ? WHERE uuid = ?",
                (changed.payload, changed.prev_hash, changed.hash, link.uuid),
            )
            prev = changed.hash
    assert counter_one.audit.verify(central=False).broken is None

    assert central_verdict(counter_one.audit.verify()) == ("broken", 2, "central_edited", 2)


@pytest.mark.parametrize(
    ("change", "verdict"),
    [
        ("UPDATE central.event SET payload = '{}' WHERE counter = 1 AND seq = 2", ("central_edited", 2)),
        ("UPDATE central.event SET hash = repeat('0', 64) WHERE counter = 1 AND seq = 1", ("central_edited", 1)),
        ("UPDATE central.event_withheld SET hash = repeat('0', 64)", ("central_edited", REFUSED_SEQ)),
        ("DELETE FROM central.event WHERE counter = 1 AND seq = 4", ("central_missing", 4)),
        (
            "INSERT INTO central.event (uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk, lamport) "
            f"VALUES (gen_random_uuid(), 'dossier.flagged', '{{}}', now(), '{AGENCY_A}', 1, 5, '', 0)",
            ("central_extra", 5),
        ),
        (
            "INSERT INTO central.event_withheld (uuid, agency_code, counter, seq, prev_hash, hash) "
            f"VALUES (gen_random_uuid(), '{AGENCY_A}', 1, 5, '', repeat('1', 64))",
            ("central_extra", 5),
        ),
    ],
)
def test_the_central_copy_changed_by_a_superuser_is_reported(
    central: Central, counter_one: Services, change: str, verdict: tuple[str, int]
) -> None:
    with central.admin() as conn:
        conn.execute("SET session_replication_role = replica")  # a superuser goes around the triggers too
        conn.execute(change)

    report = counter_one.audit.verify()

    assert report.central.status == "broken", report.as_dict()
    assert report.broken is not None
    assert (report.broken.what.value, report.broken.seq, report.broken.counter) == (*verdict, 1)
    assert "máy chủ trung tâm" in report.central.message
    assert counter_one.audit.verify(central=False).ok  # the local chain itself is intact


def test_a_credential_reads_its_own_counters_chain_only(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1, a2, b1 = make_counter(AGENCY_A, 1), make_counter(AGENCY_A, 2), make_counter(AGENCY_B, 1)
    for n, (services, agency, number) in enumerate(((a1, AGENCY_A, 1), (a2, AGENCY_A, 2), (b1, AGENCY_B, 1))):
        accept_many(services, 3, start=10 * n)
        assert sync(services, central, agency, number).pushed == 3
    uuids_a1 = {link.uuid for link in local_links(a1)}
    with service.client(service.credential(AGENCY_B, 1)) as client:
        document = client.get("/openapi.json").json()
    answer_schema = document["paths"]["/v1/chain"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer_schema == {"$ref": "#/components/schemas/ChainOut"}
    assert {"seq", "uuid", "prev_hash", "hash", "withheld"} <= set(
        document["components"]["schemas"]["ChainLinkOut"]["properties"]
    )

    for services, agency, number in ((b1, AGENCY_B, 1), (a2, AGENCY_A, 2)):
        own = [(x.seq, x.uuid, x.prev_hash, x.hash) for x in local_links(services, number)]
        # asking for A1's chain by name changes nothing: agency and counter come from the credential
        with service.client(service.credential(agency, number), copy=1) as client:
            answer = client.get("/v1/chain", params={"agency_code": AGENCY_A, "counter": 1})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["agency_code"], body["counter"], body["more"]) == (agency, number, False)
        assert [(x["seq"], x["uuid"], x["prev_hash"], x["hash"]) for x in body["links"]] == own
        assert not uuids_a1 & {x["uuid"] for x in body["links"]}
        # the client reads every page (one link a page here) and refuses a chain of another counter
        with ServiceClient(service.urls[0], service.credential(agency, number), ca_file=central.ca_file) as client:
            held = client.chain(agency, number, page=1)
            assert [(h.link.seq, h.link.uuid, h.link.hash) for h in held] == [(s, u, h) for s, u, _p, h in own]
            assert [h.link for h in held] == local_links(services, number)
            with pytest.raises(RuleError, match="không phải quầy 1 cơ quan"):
                client.chain(AGENCY_A, 1)


def test_a_page_never_ends_inside_a_seq(central: Central, counter_one: Services) -> None:
    """A superuser's withheld link beside the event at seq 2: read a link a page, both come, then the rest."""
    with central.admin() as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(
            "INSERT INTO central.event_withheld (uuid, agency_code, counter, seq, prev_hash, hash) "
            "VALUES (gen_random_uuid(), %s, 1, 2, '', repeat('2', 64))",
            [AGENCY_A],
        )
    credential = central.credential(AGENCY_A, 1)
    with ServiceClient(central.service_url(), credential, ca_file=central.ca_file) as client:
        held = client.chain(AGENCY_A, 1, page=1)
    assert [(h.link.seq, h.withheld) for h in held] == [(1, False), (2, False), (2, True), (3, True), (4, False)]

    assert central_verdict(counter_one.audit.verify()) == ("broken", 2, "central_edited", 2)
