"""Checking the audit chains of the event log, and the chain head the sync compares with the central's copy.

This installation's own counter is checked completely: seq from 1 without gaps, every prev_hash, every HMAC
with the key. Other counters' events (pulled from the central, where row-level security shows only some of
them) keep the hashes their own counter computed; without that counter's key only the links between
consecutive rows can be checked, and gaps are normal.

Deleting the newest events of the own counter leaves no broken link here: the central, which holds the chain
head it last received (`chain_head`), is what notices a chain that became shorter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from counter_app.domain.audit_chain import Breakage, ChainBreak, ChainCheck, verify_chain
from counter_app.services.audit_keys import AuditKeyStore, KeyStatus
from counter_app.services.context import ServiceContext
from counter_app.storage.event_chain import chain_links, chain_tail, chains

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditReport:
    checked: int
    chains: int
    broken: ChainBreak | None
    key: KeyStatus | None  # where the own counter's key is (None when the counter is not set up)

    @property
    def ok(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "broken": self.broken.as_dict() if self.broken else None,
            "key_storage": self.key.storage if self.key else "none",
        }


class AuditService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @property
    def keys(self) -> AuditKeyStore:
        assert self.context.audit_keys is not None
        return self.context.audit_keys

    def verify(self) -> AuditReport:
        """Walk every chain in seq order; stops at the first broken link."""
        settings = self.context.settings()
        own = (settings.agency_code, settings.counter) if settings.is_configured else None
        checked = 0
        with self.context.uow() as uow:
            found = chains(uow.session)
            for agency_code, counter in found:
                result = self._verify_one(uow.session, agency_code, counter, own=(agency_code, counter) == own)
                checked += result.checked
                if result.broken is not None:
                    log.warning(
                        "audit chain broken: counter %s:%d seq %d (%s)",
                        agency_code,
                        counter,
                        result.broken.seq,
                        result.broken.what.value,
                    )
                    return AuditReport(checked, len(found), result.broken, self.key_status())
        return AuditReport(checked, len(found), None, self.key_status())

    def _verify_one(self, session: Session, agency_code: str, counter: int, *, own: bool) -> ChainCheck:
        links = chain_links(session, agency_code, counter)
        if not own:
            return verify_chain(links, None, complete=False)
        key, _home = self.keys.existing_key(agency_code, counter)
        if key is None:
            first = next(iter(links), None)
            if first is None:
                return ChainCheck(0, None)
            return ChainCheck(1, ChainBreak(agency_code, counter, first.seq, first.uuid, Breakage.NO_KEY))
        return verify_chain(links, key, complete=True)

    def chain_head(self, agency_code: str, counter: int) -> tuple[int, str]:
        """(seq, hash) of the newest event of a counter's chain held here; (0, "") when there is none."""
        with self.context.uow() as uow:
            return chain_tail(uow.session, agency_code, counter)

    def preload_key(self) -> None:
        """Fetch this counter's key now (at start, in a worker) so the first event does not wait for the keyring."""
        settings = self.context.settings()
        if settings.is_configured:
            self.keys.preload(settings.agency_code, settings.counter)

    def key_status(self) -> KeyStatus | None:
        """Where this counter's audit key is kept (keyring, a 0600 file, or nowhere yet), for doctor output."""
        settings = self.context.settings()
        if not settings.is_configured:
            return None
        return self.keys.status(settings.agency_code, settings.counter)
