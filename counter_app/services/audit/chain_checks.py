"""Checking the audit chains of the event log, and the chain head the sync compares with the central's copy.

This installation's own counter is checked completely: seq from 1 without gaps, every prev_hash, every HMAC
with the key. Other counters' events (pulled from the central, where row-level security shows only some of
them) keep the hashes their own counter computed; without that counter's key only the links between
consecutive rows can be checked, and gaps are normal.

Deleting the newest events of the own counter leaves no broken link here: the central, which holds the chain
head it last received (`chain_head`), is what notices a chain that became shorter.

Where the central is configured (setting `central_url`: the city's sync service, read with the sync credential
the counter keeps; services.audit.central_copy), the own counter's chain is also compared with the central's
copy: same links in the same places, same contents and hashes, nothing missing, nothing extra, the links of the
events the central refused included. A central that cannot be reached is reported, and the local verdict stands.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from counter_app.domain.audit_chain import (
    Breakage,
    ChainBreak,
    ChainCheck,
    HeldLink,
    compare_with_central,
    verify_chain,
)
from counter_app.domain.roles import Permission
from counter_app.errors import CounterError
from counter_app.services.attachments.file_checks import verify_attachments
from counter_app.services.attachments.views import AttachmentProblem
from counter_app.services.common.audit_keys import AuditKeyStore, KeyStatus
from counter_app.services.common.context import ServiceContext
from counter_app.storage.projection_check import ProjectionDifference
from counter_app.storage.repositories.audit_chains import AuditChainRepository

if TYPE_CHECKING:
    from counter_app.services.audit.audit_trail import TrailPage, TrailQuery
    from counter_app.services.audit.central_copy import CredentialLookup

log = logging.getLogger(__name__)

# CentralAudit.status
CENTRAL_OK, CENTRAL_BROKEN = "ok", "broken"
CENTRAL_UNAVAILABLE = "unavailable"  # not reachable, no password, refused: not checked, the local verdict stands
CENTRAL_NOT_CONFIGURED = "not_configured"
CENTRAL_SKIPPED = "skipped"  # the local chain is broken already, or the counter is not set up


@dataclass(frozen=True)
class CentralAudit:
    """The comparison of the own counter's chain with the central's copy."""

    status: str
    checked: int
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"status": self.status, "checked": self.checked, "message": self.message}


@dataclass(frozen=True)
class AuditReport:
    checked: int
    chains: int
    broken: ChainBreak | None
    key: KeyStatus | None  # where the own counter's key is (None when the counter is not set up)
    central: CentralAudit = CentralAudit(CENTRAL_SKIPPED, 0, "")
    attachment: AttachmentProblem | None = None  # the first stored file missing or altered
    # dossier rows that are not what their events make (edited in the file): every one, by uuid
    dossiers: tuple[ProjectionDifference, ...] = ()
    # every break of every chain, in order (`broken` is the first); empty when nothing is broken
    breaks: tuple[ChainBreak, ...] = ()

    @property
    def ok(self) -> bool:
        return self.broken is None and self.attachment is None and not self.dossiers

    @property
    def all_breaks(self) -> tuple[ChainBreak, ...]:
        """`breaks`, or `broken` alone for a report made without the list."""
        if self.breaks or self.broken is None:
            return self.breaks
        return (self.broken,)

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "broken": self.broken.as_dict() if self.broken else None,
            "key_storage": self.key.storage if self.key else "none",
            "central": self.central.as_dict(),
            "attachment": None
            if self.attachment is None
            else {
                "problem": self.attachment.kind,
                "sha256": self.attachment.sha256,
                "dossier": self.attachment.dossier_code,
                "paper": self.attachment.paper,
                "message": self.attachment.message,
            },
            "dossiers_differing": [d.as_dict() for d in self.dossiers],
            "breaks": [b.as_dict() for b in self.all_breaks],
        }


@dataclass(frozen=True)
class _CentralResult:
    central: CentralAudit
    broken: ChainBreak | None


class AuditService:
    def __init__(self, context: ServiceContext, *, sync_credential: CredentialLookup | None = None) -> None:
        """`sync_credential`: the sync credential this counter keeps, to read the central's copy of its chain
        through the sync service (None: the copy is not compared, reported as unavailable)."""
        self.context = context
        self.sync_credential = sync_credential

    @property
    def keys(self) -> AuditKeyStore:
        assert self.context.audit_keys is not None
        return self.context.audit_keys

    def verify(self, *, central: bool = True) -> AuditReport:
        """Walk every chain in seq order and name every broken link (`broken`: the first one, `checked`: the events
        walked up to it, or all of them when none is broken). Then, when the local chains are intact,
        check the stored attachment files (present, unaltered), every dossier row against the replay of its
        events, and, when `central` is true, compare the own chain with the central's copy (network: call it off
        the UI thread).
        """
        local = self._verify_local()
        if local.broken is not None:
            return local
        local = dataclasses.replace(
            local, attachment=verify_attachments(self.context), dossiers=self._verify_dossier_rows()
        )
        if not central:
            return local
        report = self._verify_central()
        if report.broken is not None:
            return dataclasses.replace(local, broken=report.broken, breaks=(report.broken,), central=report.central)
        return dataclasses.replace(local, central=report.central)

    def _verify_local(self) -> AuditReport:
        settings = self.context.settings()
        own = (settings.agency_code, settings.counter) if settings.is_configured else None
        checked = 0
        breaks: list[ChainBreak] = []
        with self.context.uow() as uow:
            found = uow.chains.chains()
            for agency_code, counter in found:
                result = self._verify_one(uow.chains, agency_code, counter, own=(agency_code, counter) == own)
                if not breaks:  # `checked` counts the events walked up to the first break, as it always did
                    checked += result.checked
                for broken in result.breaks:
                    log.warning(
                        "audit chain broken: counter %s:%d seq %d (%s)",
                        agency_code,
                        counter,
                        broken.seq,
                        broken.what.value,
                    )
                breaks.extend(result.breaks)
        first = breaks[0] if breaks else None
        return AuditReport(checked, len(found), first, self.key_status(), breaks=tuple(breaks))

    def _verify_dossier_rows(self) -> tuple[ProjectionDifference, ...]:
        """Every dossier row replayed from its sealed events: a row edited in the file is named, not trusted."""
        with self.context.uow() as uow:
            found = tuple(uow.chains.projection_differences())
        for difference in found:
            log.warning("dossier row %s differs from its events: %s", difference.uuid, ",".join(difference.fields))
        return found

    def _verify_central(self) -> _CentralResult:
        settings = self.context.settings()
        if not settings.is_configured:
            return _CentralResult(CentralAudit(CENTRAL_SKIPPED, 0, ""), None)
        if not settings.central_url:
            message = "Chưa cấu hình máy chủ trung tâm: không so với bản sao trên máy chủ."
            return _CentralResult(CentralAudit(CENTRAL_NOT_CONFIGURED, 0, message), None)
        agency_code, counter = settings.agency_code, settings.counter
        try:
            held = self._central_links(settings.central_url, agency_code, counter)
        except CounterError as exc:
            log.warning("central copy of the audit chain not checked: %s", type(exc).__name__)
            message = f"Không kiểm tra được bản sao trên máy chủ trung tâm: {exc.message}"
            return _CentralResult(CentralAudit(CENTRAL_UNAVAILABLE, 0, message), None)
        with self.context.uow() as uow:
            result = compare_with_central(uow.chains.links_sent(agency_code, counter), held)
        if result.broken is not None:
            log.warning(
                "central copy of the audit chain differs: counter %s:%d seq %d (%s)",
                agency_code,
                counter,
                result.broken.seq,
                result.broken.what.value,
            )
            message = f"Bản sao trên máy chủ trung tâm khác nhật ký trên máy này: {result.broken.message}."
            return _CentralResult(CentralAudit(CENTRAL_BROKEN, result.checked, message), result.broken)
        message = f"Bản sao trên máy chủ trung tâm khớp với nhật ký trên máy này ({result.checked} sự kiện)."
        return _CentralResult(CentralAudit(CENTRAL_OK, result.checked, message), None)

    def _central_links(self, central_url: str, agency_code: str, counter: int) -> list[HeldLink]:
        """The central's copy of the chain, read before any local read (no local transaction across the network)."""
        from counter_app.services.audit.central_copy import central_links

        ca_file = self.context.settings().central_ca_file
        return central_links(central_url, ca_file, agency_code, counter, self.sync_credential)

    def _verify_one(self, chains: AuditChainRepository, agency_code: str, counter: int, *, own: bool) -> ChainCheck:
        links = chains.links(agency_code, counter)
        if not own:
            return verify_chain(links, None, complete=False)
        key, _home = self.keys.existing_key(agency_code, counter)
        if key is None:
            first = next(iter(links), None)
            if first is None:
                return ChainCheck(0, None)
            return ChainCheck(1, ChainBreak(agency_code, counter, first.seq, first.uuid, Breakage.NO_KEY))
        return verify_chain(links, key, complete=True)

    # the window's audit trail (services.audit.audit_trail): supervisor or administrator only
    def list_trail(self, query: TrailQuery) -> TrailPage:
        from counter_app.services.audit.audit_trail import trail_page

        return trail_page(self.context, query)

    def list_trail_clerks(self) -> list[str]:
        from counter_app.services.audit.audit_trail import trail_clerks

        return trail_clerks(self.context)

    def verify_in_words(self) -> tuple[bool, str]:
        """`verify` for the window: whether all is intact, and the verdict in Vietnamese (network: off the UI)."""
        from counter_app.services.audit.audit_trail import verdict_text

        self.context.require(Permission.AUDIT)
        report = self.verify()
        return report.ok, verdict_text(report)

    def chain_head(self, agency_code: str, counter: int) -> tuple[int, str]:
        """(seq, hash) of the newest event of a counter's chain held here; (0, "") when there is none."""
        with self.context.uow() as uow:
            return uow.chains.head(agency_code, counter)

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
