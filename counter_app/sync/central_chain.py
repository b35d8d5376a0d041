"""The central's copy of one counter's audit chain (events and withheld links), read for `audit verify`."""

from __future__ import annotations

import logging

import psycopg

from counter_app.domain.audit_chain import ChainLink, HeldLink
from counter_app.domain.clock import to_vn
from counter_app.errors import CounterError
from counter_app.sync.central_admin import known_revisions
from counter_app.sync.central_url import CentralUrl
from counter_app.sync.connection import lost_connection, open_connection
from counter_app.sync.handshake import check_schema, hello

log = logging.getLogger(__name__)

# Row-level security shows a counter its own agency's events, so its own chain whole.
_EVENTS = """
SELECT uuid::text, kind, dossier_uuid::text, payload, occurred_at, agency_code, counter, seq, clerk, prev_hash, hash
FROM central.event WHERE agency_code = %s AND counter = %s
"""
_WITHHELD = """
SELECT uuid::text, seq, prev_hash, hash FROM central.event_withheld WHERE agency_code = %s AND counter = %s
"""


def central_chain(url: CentralUrl, password: str | None, agency_code: str, counter: int) -> list[HeldLink]:
    """Every link the central holds of this counter's chain, in one read-only snapshot.

    Raises what `open_connection` raises (RuleError, CentralUnreachable), CentralUnreachable when the connection
    breaks, RuleError when the central's schema is not this client's.
    """
    with open_connection(url, password) as conn:
        try:
            check_schema(hello(conn, url.user).revision, known_revisions())
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                events = conn.execute(_EVENTS, [agency_code, counter]).fetchall()
                withheld = conn.execute(_WITHHELD, [agency_code, counter]).fetchall()
        except psycopg.OperationalError as exc:
            raise lost_connection(exc) from None
        except psycopg.Error as exc:  # e.g. a central without the chain's columns (not upgraded)
            raise CounterError(
                "Máy chủ trung tâm không trả lời được yêu cầu đọc nhật ký.", detail=exc.sqlstate or ""
            ) from None
    links = [
        HeldLink(
            ChainLink(
                uuid=uuid,
                kind=kind,
                dossier_uuid=dossier_uuid,
                payload=payload,
                # the text the counter stored and hashed: ISO 8601 at the second, in Vietnam's time
                occurred_at=to_vn(occurred_at).isoformat(timespec="seconds"),
                agency_code=agency,
                counter=number,
                seq=seq,
                clerk=clerk,
                prev_hash=prev_hash,
                hash=hash_,
            )
        )
        for uuid, kind, dossier_uuid, payload, occurred_at, agency, number, seq, clerk, prev_hash, hash_ in events
    ]
    links.extend(
        HeldLink(ChainLink(uuid, "", None, "", "", agency_code, counter, seq, "", prev_hash, hash_), withheld=True)
        for uuid, seq, prev_hash, hash_ in withheld
    )
    log.info("central copy of chain %s:%d read: %d links", agency_code, counter, len(links))
    return links
