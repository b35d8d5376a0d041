"""Agency B's credential against agency A's dossiers through the sync service, and the throttle of failed logins.

Attacks go straight to the API (events forged by hand, continuing B's own chain on the central, as a hostile
program holding B's credential would send them); what B may do goes through B's counter as a clerk would.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from sync_helpers import AGENCY_A, AGENCY_B, Central, MakeCounter, accept_many
from sync_service_support import SyncService

from counter_app.bootstrap import Services
from counter_app.central.credentials import new_credential, revoke_credential
from counter_app.storage import outbox
from counter_app.sync.central_url import parse_central_url
from counter_app.sync.report import SyncReport

AGENCY_C = "000.19.24.H30"  # a third agency, never part of the dossier


def _sync(service: SyncService, counter: Services, agency: str, number: int, copy: int = 0) -> SyncReport:
    return counter.sync.sync_now(
        central_url=service.urls[copy], credential=service.credential(agency, number), ca_file=str(service.ca_file)
    )


def _forged(
    central: Central, agency: str, number: int, dossier: str, kind: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """An event continuing the counter's chain as the central holds it (the central cannot check the HMAC)."""
    with central.admin() as conn:
        head = conn.execute(
            "SELECT seq, hash FROM central.chain_head WHERE agency_code = %s AND counter = %s", [agency, number]
        ).fetchone()
    seq, prev = (int(str(head[0])), str(head[1])) if head else (0, "")
    event_uuid = str(uuid.uuid4())
    return {
        "uuid": event_uuid,
        "dossier_uuid": dossier,
        "kind": kind,
        "payload": json.dumps(payload, ensure_ascii=False),
        "occurred_at": datetime.now(UTC).isoformat(),
        "agency_code": agency,
        "counter": number,
        "seq": seq + 1,
        "clerk": "",
        "prev_hash": prev,
        "hash": hashlib.sha256(event_uuid.encode()).hexdigest(),
    }


def _push(service: SyncService, credential: str, events: list[dict[str, Any]], copy: int = 0) -> dict[str, Any]:
    with service.client(credential, copy) as client:
        answer = client.post("/v1/push", json={"events": events})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _dossier_row(central: Central, dossier: str) -> tuple[object, ...]:
    with central.admin() as conn:
        row = conn.execute(
            "SELECT receiving_agency_code, deciding_agency_code, stage, applicant_name, event_count "
            "FROM central.dossier WHERE uuid = %s",
            [dossier],
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_b_decides_a_transferred_dossier_but_cannot_take_it_change_a_desk_steps_or_pass_it_on(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    # on the system clock: steps of the two counters may share a second, their lamports order them
    a1, b1 = make_counter(AGENCY_A, 1), make_counter(AGENCY_B, 1)
    shared, private = accept_many(a1, 2)
    a1.dossiers.transfer(str(shared.code), to_agency=AGENCY_B)
    assert _sync(service, a1, AGENCY_A, 1).failed == 0
    assert _sync(service, b1, AGENCY_B, 1, copy=1).failed == 0

    # what B may do: its own deciding steps, through its counter
    b1.dossiers.request_supplement(str(shared.code), "Thiếu bản sao giấy khai sinh")
    decided = _sync(service, b1, AGENCY_B, 1, copy=1)
    assert (decided.pushed, decided.failed) == (1, 0)
    before = _dossier_row(central, shared.uuid)
    assert before[:3] == (AGENCY_A, AGENCY_B, "supplement_requested")

    credential_b = service.credential(AGENCY_B, 1)
    attacks = {
        # A's desk steps on the dossier it transferred
        "dossier.supplement_received": {"due_at": "2027-01-20T17:00:00+07:00"},
        "dossier.corrected": {"changes": {"applicant_name": [before[3], "Kẻ Mạo Danh"]}, "reason": "sửa"},
        "dossier.withdrawn": {"reason": "công dân rút"},
        "dossier.voided": {"reason": "nhầm"},
        "dossier.handed_over": {"fee_collected": True},
        # handed on to a third agency
        "dossier.transferred": {"to": AGENCY_C, "note": ""},
    }
    for kind, payload in attacks.items():
        event = _forged(central, AGENCY_B, 1, shared.uuid, kind, payload)
        answer = _push(service, credential_b, [event])
        assert (answer["stored"], list(answer["dead"])) == (0, [event["uuid"]]), kind
        assert "receiving agency" in answer["dead"][event["uuid"]], kind
    # taken over as its receiving agency: an opening event of B's numbering naming A's dossier
    accept_many(b1, 1, start=80)
    (opening,) = [e._asdict() for e in outbox.read_pending_events(b1.context.database, None, 10)]
    with central.admin() as conn:
        head = conn.execute(
            "SELECT seq, hash FROM central.chain_head WHERE agency_code = %s AND counter = 1", [AGENCY_B]
        ).fetchone()
    assert head is not None
    opening |= {"dossier_uuid": shared.uuid, "seq": int(str(head[0])) + 1, "prev_hash": str(head[1])}
    answer = _push(service, credential_b, [opening])
    assert (answer["stored"], list(answer["dead"])) == (0, [opening["uuid"]])
    # and the same opening naming A's dossier that B does not even see
    hidden = opening | {
        "uuid": str(uuid.uuid4()),
        "dossier_uuid": private.uuid,
        "seq": opening["seq"] + 1,
        "prev_hash": opening["hash"],
        "hash": secrets.token_hex(32),
    }
    answer = _push(service, credential_b, [hidden])
    assert (answer["stored"], list(answer["dead"])) == (0, [hidden["uuid"]]), answer
    assert _dossier_row(central, private.uuid)[:2] == (AGENCY_A, AGENCY_A)

    assert _dossier_row(central, shared.uuid) == before  # nothing of it changed
    assert central.count("SELECT count(*) FROM central.dossier WHERE receiving_agency_code = %s", AGENCY_B) == 0
    assert central.count("SELECT count(*) FROM central.dossier WHERE %s IN (deciding_agency_code)", AGENCY_C) == 0

    # A's dossiers it never transferred: refused exactly as a dossier that does not exist
    answers = [
        _push(service, credential_b, [_forged(central, AGENCY_B, 1, target, "dossier.result_ready", {})])
        for target in (private.uuid, str(uuid.uuid4()))
    ]
    assert [a["stored"] for a in answers] == [0, 0]
    assert len({next(iter(a["dead"].values())) for a in answers}) == 1
    with service.client(credential_b) as client:
        assert client.post("/v1/history", json={"dossiers": [private.uuid]}).json() == {"events": []}

    # A keeps syncing: it pulls B's own step, and its desk goes on with the dossier
    back = _sync(service, a1, AGENCY_A, 1)
    assert (back.pulled, back.failed) == (1, 0)
    a1.dossiers.receive_supplement(str(shared.code))
    onward = _sync(service, a1, AGENCY_A, 1, copy=1)
    assert (onward.pushed, onward.failed) == (1, 0)
    assert _dossier_row(central, shared.uuid)[:3] == (AGENCY_A, AGENCY_B, "in_processing")


def test_repeated_failed_logins_from_one_source_are_throttled_and_known_counters_keep_syncing(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1 = make_counter(AGENCY_A, 1)
    accept_many(a1, 2)
    good = service.credential(AGENCY_A, 1)
    with service.client(good) as client:
        assert client.get("/v1/hello").status_code == 200  # this copy has seen it good

    statuses: list[int] = []
    retry_after: list[str] = []
    for n in range(30):
        credential = new_credential() if n % 2 else "Bearer-nonsense-" + secrets.token_hex(4)
        with service.client(credential) as guesser:
            answer = guesser.get("/v1/hello")
        statuses.append(answer.status_code)
        retry_after += [answer.headers["Retry-After"]] if answer.status_code == 429 else []
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    assert all(int(value) >= 1 for value in retry_after)

    # the counter that authenticated before is not held back, and syncs
    with service.client(good) as client:
        assert client.get("/v1/hello").status_code == 200
    report = _sync(service, a1, AGENCY_A, 1)
    assert (report.pushed, report.failed) == (2, 0)
    # another copy of the service keeps its own count: a counter new to the first copy syncs through it
    with service.client(service.credential(AGENCY_B, 1), copy=1) as other:
        assert other.get("/v1/hello").status_code == 200

    # a credential revoked since it was seen good is refused, then throttled like any other
    revoke_credential(parse_central_url(central.admin_url), None, agency_code=AGENCY_A, counter=1)
    with service.client(good) as client:
        assert [client.get("/v1/hello").status_code for _ in range(2)] == [401, 429]
