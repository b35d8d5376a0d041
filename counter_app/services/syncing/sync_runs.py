"""Sync with the city's sync service for the UI and the command line: sync now (progress, cancel), the last sync,
per-dossier state, a dossier's attachment files fetched.

A counter reaches the central only through the sync service (https://, the credential the administrator issued);
it holds no database login and never opens a PostgreSQL session. The HTTP client is imported on the first sync,
not at start-up.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from counter_app.domain.clock import to_vn
from counter_app.domain.event_delivery import DossierDelivery, dossier_delivery
from counter_app.errors import CounterError, RuleError
from counter_app.services.common.context import ServiceContext
from counter_app.storage import outbox
from counter_app.sync.central_url import sync_service_address
from counter_app.sync.report import SyncInterrupted as SyncInterrupted  # noqa: PLC0414 (the CLI catches it)
from counter_app.sync.report import SyncReport

if TYPE_CHECKING:
    from counter_app.services.attachments.digitisation import AttachmentService
    from counter_app.sync.attachment_transfer import Blobs
    from counter_app.sync.service_client import ServiceClient

log = logging.getLogger(__name__)

LAST_SYNC_KEY = "sync_last"


@dataclass(frozen=True)
class LastSync:
    at: datetime
    ok: bool
    pushed: int
    pulled: int
    failed: int
    dossiers: int
    message: str


@dataclass(frozen=True)
class FetchedFiles:
    """The files of a dossier's papers fetched from the central, and those the counter already had."""

    fetched: tuple[str, ...]
    present: tuple[str, ...]


@dataclass(frozen=True)
class DossierSyncState:
    """Whether a dossier's own changes have reached the central: synced, pending or failed (dead letter)."""

    dossier_uuid: str
    state: DossierDelivery
    pending: int
    failed: int
    error: str

    @property
    def label(self) -> str:
        return {
            DossierDelivery.SYNCED: "Đã đồng bộ",
            DossierDelivery.PENDING: "Chờ đồng bộ",
            DossierDelivery.FAILED: "Lỗi đồng bộ (máy chủ trung tâm từ chối)",
        }[self.state]


def _system_now() -> datetime:
    return datetime.now(UTC)


class SyncService:
    def __init__(
        self,
        context: ServiceContext,
        *,
        system_clock: Callable[[], datetime] = _system_now,
        attachments: AttachmentService | None = None,
    ) -> None:
        self.context = context
        self._attachments = attachments
        # The machine's own clock: the clock check compares it with the central's; the drill clock takes no part.
        self.system_clock = system_clock

    def sync_now(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
        *,
        central_url: str | None = None,
        credential: str | None = None,
        ca_file: str | None = None,
        pull_batch: int | None = None,
    ) -> SyncReport:
        """Push this counter's unsent events, pull what others recorded; safe to cancel or cut at any moment.

        `central_url` (else the `central_url` setting) is the city's sync service, `https://HOST:PORT`; a
        `postgresql://` address is refused (RuleError): counters no longer sync as database logins. `credential`
        (kept for later syncs when given, else the one kept) and `ca_file` (else the `central_ca_file` setting,
        else the system's CAs) go with it.
        """
        target = self._service_address(central_url)
        return self._sync_through_service(
            target, progress, cancel, credential=credential, ca_file=ca_file, pull_batch=pull_batch
        )

    def _sync_through_service(
        self,
        base_url: str,
        progress: Callable[[int, int], None] | None,
        cancel: threading.Event | None,
        *,
        credential: str | None,
        ca_file: str | None,
        pull_batch: int | None,
    ) -> SyncReport:
        from counter_app.services.catalogue.procedures import apply_published_from
        from counter_app.sync import pull, service_client

        settings = self.context.settings()
        with self.context.uow() as uow:
            agency = uow.agencies.get(settings.agency_code)
            if agency is None:
                raise RuleError("Quầy chưa được thiết lập cơ quan. Chạy “counter-app init”.")
            numbering = (agency.counter_digits, agency.number_digits)
        try:
            with self._service_client(base_url, credential, ca_file) as client:
                report = service_client.synchronize(
                    self.context.database,
                    client,
                    agency_code=settings.agency_code,
                    counter=settings.counter,
                    numbering=numbering,
                    system_now=self.system_clock,
                    progress=progress,
                    cancel=cancel,
                    pull_batch=pull_batch or pull.DEFAULT_BATCH,
                    remember_public_url=self._remember_public_url,
                    uploads=self.attachments,
                )
                apply_published_from(self.context, client.published)  # the city's catalogue and calendar win
        except CounterError as exc:  # SyncInterrupted too, with what it exchanged before
            self._record_failure(exc)
            raise
        message = "" if report.complete else _incomplete_message(report)
        self._record(report, ok=report.complete, message=message)
        return report

    def _service_client(self, base_url: str, credential: str | None, ca_file: str | None) -> ServiceClient:
        """A client of the sync service with this counter's credential (`credential` is kept for later)."""
        from counter_app.services.syncing.credential_store import SyncCredentialStore
        from counter_app.sync.service_client import ServiceClient

        settings = self.context.settings()
        store = SyncCredentialStore(self.context.data_dir, self.context.vault)
        if credential:
            store.save(settings.agency_code, settings.counter, credential)
        kept = credential or store.load(settings.agency_code, settings.counter)
        if not kept:
            raise RuleError(
                "Chưa có thông tin xác thực đồng bộ của quầy: nhập thông tin quản trị viên cấp "
                "(“counter-app sync --central … --credential-stdin”)."
            )
        return ServiceClient(base_url, kept, ca_file=ca_file or settings.central_ca_file or None)

    def _remember_public_url(self, public_url: str) -> None:
        """The status page's address the service announced: receipts printed from now on link to it."""
        from counter_app.domain.status_link import status_url_template

        template = status_url_template(public_url)
        if self.context.settings().status_url_template == template:
            return
        with self.context.uow(write=True) as uow:
            uow.settings.put("status_url_template", template)
            uow.commit()
        self.context.forget_settings()

    @property
    def attachments(self) -> AttachmentService:
        if self._attachments is None:
            from counter_app.services.attachments.digitisation import AttachmentService
            from counter_app.services.catalogue.working_calendar import CalendarService
            from counter_app.services.desk.dossiers import DossierService

            self._attachments = AttachmentService(
                self.context, DossierService(self.context, CalendarService(self.context))
            )
        return self._attachments

    def fetch_attachments(
        self, code: str, *, central_url: str | None = None, ca_file: str | None = None
    ) -> FetchedFiles:
        """Download from the central the current file of each paper of a dossier that this counter lacks.

        For the deciding agency's counter opening a dossier received elsewhere: each file is checked against its
        SHA-256 before it is stored; the service decides which dossiers' files this counter may read. Through the
        sync service (`central_url` as for a sync), with the credential kept at the last sync.
        """
        state = self.attachments.dossiers.get_state(code)
        target = self._service_address(central_url)
        with self._service_client(target, None, ca_file) as client:
            files = self._fetch_files(client.blobs(), state.uuid)
        log.info("fetched %d attachment files of %s (%d already here)", len(files.fetched), code, len(files.present))
        return files

    def _fetch_files(self, blobs: Blobs, dossier_uuid: str) -> FetchedFiles:
        from counter_app.sync.attachment_transfer import download_blob

        store = self.attachments.store
        fetched: list[str] = []
        present: list[str] = []
        for _paper, sha256, _size in blobs.files_of(dossier_uuid):
            if store.problem(sha256, 0) is None:
                present.append(sha256)
                continue
            with store.writing() as (output, stored):
                download_blob(blobs, sha256, output)
            if stored[0].sha256 != sha256:  # download_blob checked it; the store re-hashed what it keeps
                raise RuleError("Tệp số hóa tải về không khớp mã băm.")
            fetched.append(sha256)
        return FetchedFiles(tuple(fetched), tuple(present))

    def _service_address(self, central_url: str | None) -> str:
        """The sync service's address to use: `central_url`, else the setting; a postgresql:// one is refused."""
        settings = self.context.settings()
        if not settings.is_configured:
            raise RuleError("Quầy chưa được thiết lập. Chạy “counter-app init” hoặc mở màn hình thiết lập.")
        text = (central_url or settings.central_url).strip()
        if not text:
            raise RuleError(
                "Chưa có địa chỉ dịch vụ đồng bộ của thành phố: ghi ở Thiết lập › Đồng bộ hoặc dùng tham số --central."
            )
        return sync_service_address(text)

    def last_sync(self) -> LastSync | None:
        """The last sync attempt (successful or not), or None when this counter never synced."""
        with self.context.uow() as uow:
            text = uow.settings.get(LAST_SYNC_KEY)
        if not text:
            return None
        data = json.loads(text)
        return LastSync(
            at=to_vn(datetime.fromisoformat(data["at"])),
            ok=bool(data["ok"]),
            pushed=int(data["pushed"]),
            pulled=int(data["pulled"]),
            failed=int(data["failed"]),
            dossiers=int(data["dossiers"]),
            message=str(data.get("message", "")),
        )

    def on_hold(self) -> bool:
        """Whether the database, restored from a backup, waits for a sync before it writes again
        (storage.restore_hold; a sync that takes back the counter's own history lifts it)."""
        with self.context.uow() as uow:
            return uow.on_hold()

    def pending_count(self) -> int:
        """This counter's events not yet on the central."""
        return outbox.count_pending(self.context.database)

    def dossier_sync_state(self, dossier_uuid: str) -> DossierSyncState:
        with self.context.uow() as uow:
            delivery = uow.events.delivery(dossier_uuid)
        state = dossier_delivery(delivery.pending, delivery.failed)
        return DossierSyncState(dossier_uuid, state, delivery.pending, delivery.failed, delivery.error)

    def _record_failure(self, exc: CounterError) -> None:
        """A sync that stopped: what it exchanged before (a cut keeps it on both sides), and why."""
        report = exc.report if isinstance(exc, SyncInterrupted) else SyncReport(0, 0, 0, 0)
        self._record(report, ok=False, message=exc.message)

    def _record(self, report: SyncReport, *, ok: bool, message: str) -> None:
        data = {"at": self.context.clock.now().isoformat(timespec="seconds"), "ok": ok, "message": message}
        data |= report.as_dict()
        try:
            with self.context.uow(write=True) as uow:
                uow.settings.put(LAST_SYNC_KEY, json.dumps(data, ensure_ascii=False))
                uow.commit()
        except Exception:  # the sync's own result matters more than its note
            log.exception("could not record the last sync")


def _incomplete_message(report: SyncReport) -> str:
    if report.cancelled:
        return "Đã dừng đồng bộ theo yêu cầu; phần còn lại sẽ được đồng bộ lần sau."
    return (
        f"{report.failed} thay đổi không đồng bộ được (máy chủ trung tâm từ chối hoặc xung đột dữ liệu); "
        "xem danh sách lỗi đồng bộ."
    )
