"""The sync service's API attacked and used: what a credential may read, create and change, and nothing more."""

from __future__ import annotations

import json
from typing import Any

from sync_helpers import AGENCY_A, AGENCY_B, Central, MakeCounter, accept_many
from sync_service_support import SyncService

from counter_app.bootstrap import Services
from counter_app.storage import outbox


def _pending(services: Services) -> list[dict[str, Any]]:
    return [e._asdict() for e in outbox.read_pending_events(services.context.database, None, 10_000)]


def _push(service: SyncService, credential: str, events: list[dict[str, Any]], copy: int = 0) -> Any:
    with service.client(credential, copy) as client:
        return client.post("/v1/push", json={"events": events})


def test_hello_says_who_the_credential_is(service: SyncService) -> None:
    with service.client(service.credential(AGENCY_A, 2)) as client:
        answer = client.get("/v1/hello")
    assert answer.status_code == 200, answer.text
    hello = answer.json()
    assert (hello["agency_code"], hello["counter"], hello["api"]) == (AGENCY_A, 2, "1")
    assert (hello["counter_digits"], hello["number_digits"]) == (1, 3)


def test_events_pushed_through_one_copy_are_pulled_through_the_other(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    made = accept_many(one, 5)
    pending = _pending(one)
    answer = _push(service, service.credential(AGENCY_A, 1), pending, copy=0)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"stored": 5, "dead": {}, "held": []}
    # the same request again (a counter that crashed before acknowledging): nothing stored, every event held
    again = _push(service, service.credential(AGENCY_A, 1), pending, copy=1)
    assert again.json() == {"stored": 0, "dead": {}, "held": [e["uuid"] for e in pending]}
    # the projection is the central's own replay: every dossier row is there, with the code the counter gave
    codes = {str(r[0]) for r in central.admin().execute("SELECT code FROM central.dossier").fetchall()}
    assert codes == {str(r.code) for r in made}

    with service.client(service.credential(AGENCY_A, 2), copy=1) as client:
        page = client.get("/v1/pull", params={"limit": 100}).json()
        registry = client.get("/v1/counters").json()
    assert {e["uuid"] for e in page["events"]} == set(_uuids(one))
    assert page["end"] is not None and page["full"] is False
    assert [tuple(c[:2]) for c in registry] == [(AGENCY_A, 1), (AGENCY_A, 2)]


def _uuids(services: Services) -> list[str]:
    with services.context.uow() as uow:
        from sqlalchemy import select

        from counter_app.storage.models import EventRow

        return list(uow.session.scalars(select(EventRow.uuid)).all())


def test_an_unknown_or_revoked_credential_gets_the_same_401(service: SyncService, central: Central) -> None:
    from counter_app.central.credentials import new_credential, revoke_credential
    from counter_app.sync.central_url import parse_central_url

    known = service.credential(AGENCY_A, 1)
    revoke_credential(parse_central_url(central.admin_url), None, agency_code=AGENCY_A, counter=1)
    answers = []
    for credential in (known, new_credential(), "not-a-credential"):
        with service.client(credential) as client:
            answers.append(client.get("/v1/hello"))
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert len({a.text for a in answers}) == 1  # nothing tells a revoked credential from an unknown one


def test_agency_b_cannot_push_as_a_nor_forge_a_code_of_a_and_a_keeps_syncing(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1, b1 = make_counter(AGENCY_A, 1), make_counter(AGENCY_B, 1)
    accept_many(a1, 2)
    credential_b = service.credential(AGENCY_B, 1)

    # B sends A's events as they are: refused whole, nothing stored
    refused = _push(service, credential_b, _pending(a1))
    assert refused.status_code == 403
    assert central.count("SELECT count(*) FROM central.event") == 0

    # B's own events, the first one carrying a code of A's numbering: a dead letter, B's next event still stored
    accept_many(b1, 2, start=50)
    events = _pending(b1)
    payload = json.loads(events[0]["payload"])
    own_code = payload["code"]
    payload["code"] = own_code.replace(AGENCY_B, AGENCY_A)
    events[0]["payload"] = json.dumps(payload, ensure_ascii=False)
    answer = _push(service, credential_b, events).json()
    assert list(answer["dead"]) == [events[0]["uuid"]]
    assert AGENCY_A in answer["dead"][events[0]["uuid"]]
    assert answer["stored"] == 1
    assert central.count("SELECT count(*) FROM central.dossier WHERE receiving_agency_code = %s", AGENCY_A) == 0

    # A's real dossiers still go in, under their codes
    assert _push(service, service.credential(AGENCY_A, 1), _pending(a1)).json() == {"stored": 2, "dead": {}, "held": []}


def test_b_reads_nothing_of_a(service: SyncService, make_counter: MakeCounter) -> None:
    a1 = make_counter(AGENCY_A, 1)
    accept_many(a1, 3)
    assert _push(service, service.credential(AGENCY_A, 1), _pending(a1)).status_code == 200
    with service.client(service.credential(AGENCY_B, 1)) as client:
        page = client.get("/v1/pull").json()
        registry = client.get("/v1/counters").json()
        history = client.post("/v1/history", json={"dossiers": [e["dossier_uuid"] for e in _pending(a1)] or []})
    assert page["events"] == []
    assert registry and all(c[0] == AGENCY_B for c in registry)
    assert history.json() == {"events": []}
