"""The central's copy of this counter's audit chain, read through the city's sync service for `audit verify`.

A counter holds no database login (issue 18): it asks the sync service (`GET /v1/chain`, every page) with the
sync credential it keeps for its syncs. The syncing feature keeps that credential and sits above this one, so
the composition root (services.registry) hands its lookup in as a callable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from counter_app.domain.audit_chain import HeldLink
from counter_app.errors import RuleError

log = logging.getLogger(__name__)

CredentialLookup = Callable[[str, int], str | None]  # (agency, counter) -> the sync credential kept, if any
TIMEOUT_S = 30.0

NO_CREDENTIAL = (
    "chưa có thông tin xác thực đồng bộ của quầy (đồng bộ một lần với “counter-app sync --central … "
    "--credential-stdin”)."
)


def central_links(
    central_url: str, ca_file: str, agency_code: str, counter: int, credential: CredentialLookup | None
) -> list[HeldLink]:
    """Every link the sync service at `central_url` holds of this counter's chain (its events and the links it
    withheld), after checking that the central's schema is this client's. Raises CounterError (RuleError for an
    address, credential or schema refused, CentralUnreachable for the network): the caller reports it."""
    from counter_app.sync.central_admin import known_revisions
    from counter_app.sync.central_url import sync_service_address
    from counter_app.sync.handshake import check_schema
    from counter_app.sync.service_client import ServiceClient

    base_url = sync_service_address(central_url)  # a postgresql:// address is refused, never dialled
    kept = credential(agency_code, counter) if credential is not None else None
    if not kept:
        raise RuleError(NO_CREDENTIAL)
    with ServiceClient(base_url, kept, ca_file=ca_file or None, timeout=TIMEOUT_S) as client:
        check_schema(str(client.hello()["revision"]), known_revisions())
        links = client.chain(agency_code, counter)
    log.info("central copy of chain %s:%d read through the sync service: %d links", agency_code, counter, len(links))
    return links
