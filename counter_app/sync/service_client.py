"""The counter's side of sync through the city's sync service (HTTPS, a credential): hello, push, files, pull, count.

Its guarantees: nothing is marked sent before the service answered
that it stored it, every pulled page is stored with its cursor in one short local write, no local write is open
while the network is waited for. What the service refuses comes back as dead letters with their reasons.
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from counter_app.domain.audit_chain import ChainLink, HeldLink
from counter_app.domain.codes import Numbering
from counter_app.errors import CentralUnreachable, RuleError
from counter_app.storage.database import Database
from counter_app.storage.held_events import Tally
from counter_app.storage.outbox import OutboxEvent
from counter_app.storage.pull_cursor import PullCursor
from counter_app.sync import own_history, pull
from counter_app.sync.attachment_transfer import UploadOutcome, UploadQueue, upload_pending
from counter_app.sync.catalogue_sync import Published, parse_published
from counter_app.sync.central_admin import known_revisions
from counter_app.sync.count_check import CentralCount, CountOutcome, check_and_repair
from counter_app.sync.handshake import SYNC_PROTOCOL, check_clock, check_schema
from counter_app.sync.report import SyncInterrupted, SyncReport
from counter_app.sync.service_push import PushAnswer, PushTally, encode_push, push_pending
from counter_app.sync.service_waits import THROTTLE_RETRIES, THROTTLE_WAIT_CAP_S, ServiceWaits

log = logging.getLogger(__name__)

PUSH_CHUNK = 5000  # the service's limit per request
CHAIN_PAGE = 5000  # links of the own chain per request: the service's limit
UNREACHABLE = (
    "Không kết nối được dịch vụ đồng bộ của thành phố; dữ liệu vẫn được giữ nguyên trên máy này và sẽ được đồng bộ "
    "lần sau."
)
_REFUSED = {
    401: "Thông tin xác thực đồng bộ của quầy không hợp lệ hoặc đã bị thu hồi; xin quản trị viên cấp thông tin mới.",
    403: "Dịch vụ đồng bộ từ chối yêu cầu của quầy này.",
}
_OCTETS = {"Content-Type": "application/octet-stream"}
_JSON = {"Content-Type": "application/json"}


def _event(data: dict[str, Any]) -> OutboxEvent:
    return OutboxEvent(**{name: data[name] for name in OutboxEvent._fields})


class ServiceClient:
    """One HTTPS session with the service; every failure becomes a CounterError a clerk can read."""

    def __init__(
        self,
        base_url: str,
        credential: str,
        *,
        ca_file: str | None = None,
        timeout: float = 60,
        throttle_retries: int = THROTTLE_RETRIES,
        throttle_wait_cap: float = THROTTLE_WAIT_CAP_S,
    ) -> None:
        # its `cancel` is set by synchronize: a wait for a throttled address (429) ends when the sync is cancelled
        self.waits = ServiceWaits(throttle_retries, throttle_wait_cap)
        verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca_file) if ca_file else True
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            verify=verify,
            headers={"Authorization": f"Bearer {credential.strip()}"},
            timeout=timeout,
        )

    def __enter__(self) -> ServiceClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._answer(self.raw(method, path, **kwargs))

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            try:
                return self._http.request(method, path, **kwargs)
            except httpx.RemoteProtocolError:
                # a kept-alive connection closed by the server as the call went out: once more on a new one (every
                # call is safe to repeat: a push's repeat is recognised by the counter's chain head)
                return self._http.request(method, path, **kwargs)
        except httpx.ConnectError as exc:
            if "CERTIFICATE" in str(exc).upper() or "SSL" in str(exc).upper():
                raise RuleError(
                    "Lỗi chứng chỉ TLS của dịch vụ đồng bộ; kiểm tra tệp chứng chỉ gốc (--ca-file).",
                    detail=str(exc)[:200],
                ) from None
            raise CentralUnreachable(UNREACHABLE, detail=type(exc).__name__) from None
        except httpx.TransportError as exc:
            raise CentralUnreachable(UNREACHABLE, detail=type(exc).__name__) from None

    def _answer(self, answer: httpx.Response) -> Any:
        self.raise_for_refusal(answer)
        return answer.json()

    def raise_for_refusal(self, answer: httpx.Response) -> None:
        """A refusal or failure of the service as a CounterError a clerk can read; nothing for a success."""
        if (throttled := self.waits.refusal(answer)) is not None:
            raise throttled
        if answer.status_code in _REFUSED:
            raise RuleError(_REFUSED[answer.status_code], detail=f"HTTP {answer.status_code}")
        if answer.status_code >= 500:
            raise CentralUnreachable(UNREACHABLE, detail=f"HTTP {answer.status_code}")
        if answer.status_code >= 400:
            detail = (
                answer.json().get("detail")
                if answer.headers.get("content-type", "").startswith("application/json")
                else ""
            )
            raise RuleError(
                detail if isinstance(detail, str) and detail else "Dịch vụ đồng bộ từ chối yêu cầu.",
                detail=f"HTTP {answer.status_code}",
            )

    def hello(self) -> dict[str, Any]:
        return dict(self._call("GET", "/v1/hello", params={"protocol": SYNC_PROTOCOL}))

    def push(self, events: Sequence[OutboxEvent]) -> tuple[int, dict[str, str]]:
        answer = self.push_body(encode_push(events))
        return answer.stored, answer.dead

    def push_body(self, body: bytes) -> PushAnswer:
        """A push whose body was encoded beforehand (service_push.encode_push): what the service stored, refused
        and held already (an older service does not say what it held: none)."""
        answer = self._call("POST", "/v1/push", content=body, headers=_JSON)
        return PushAnswer(int(answer["stored"]), dict(answer["dead"]), frozenset(answer.get("held", ())))

    def counters(self) -> list[tuple[str, int, str]]:
        return [(str(a), int(n), str(label)) for a, n, label in self._call("GET", "/v1/counters")]

    def page(self, cursor: PullCursor, limit: int) -> pull.Page:
        answer = self._call("GET", "/v1/pull", params={"tx": cursor.tx, "seq": cursor.seq, "limit": limit})
        end = answer["end"]
        return pull.Page(
            [_event(e) for e in answer["events"]], PullCursor(int(end[0]), int(end[1])) if end else None, answer["full"]
        )

    def own(self, after: int, limit: int) -> own_history.OwnPage:
        answer = self._call("GET", "/v1/own", params={"after": after, "limit": limit})
        return own_history.OwnPage(answer["head"], answer["withheld"], [_event(e) for e in answer["events"]])

    def chain(self, agency_code: str, counter: int, *, page: int = CHAIN_PAGE) -> list[HeldLink]:
        """Every link the central holds of this counter's own chain, all pages in seq order: its events, and the
        links of the events it refused (withheld). RuleError when the credential is another counter's or the
        answer does not move on (a service that does not serve the chain: its refusal)."""
        links: list[HeldLink] = []
        after = 0
        while True:
            answer = self._call("GET", "/v1/chain", params={"after": after, "limit": page})
            if (answer["agency_code"], int(answer["counter"])) != (agency_code, counter):
                raise RuleError(
                    f"Thông tin xác thực đồng bộ là của quầy {answer['counter']} cơ quan {answer['agency_code']}, "
                    f"không phải quầy {counter} cơ quan {agency_code}."
                )
            for item in answer["links"]:
                withheld = bool(item["withheld"])
                link = ChainLink(
                    uuid=str(item["uuid"]),
                    kind=str(item["kind"]),
                    dossier_uuid=None if item["dossier_uuid"] is None else str(item["dossier_uuid"]),
                    payload=str(item["payload"]),
                    occurred_at=str(item["occurred_at"]),
                    agency_code=agency_code,
                    counter=counter,
                    seq=int(item["seq"]),
                    clerk=str(item["clerk"]),
                    prev_hash=str(item["prev_hash"]),
                    hash=str(item["hash"]),
                )
                links.append(HeldLink(link, withheld=withheld))
            if not answer["more"]:
                return links
            if not links or links[-1].link.seq <= after:
                raise RuleError("Dịch vụ đồng bộ trả về nhật ký của quầy không đúng thứ tự.")
            after = links[-1].link.seq

    def count(self, cursor: PullCursor) -> CentralCount | None:
        """The central's side of the count check at `cursor` (central.count_routes); None from a service that
        does not offer it."""
        answer = self.raw("GET", "/v1/count", params={"tx": cursor.tx, "seq": cursor.seq})
        if answer.status_code == 404:
            return None
        self.raise_for_refusal(answer)
        data = answer.json()
        return CentralCount(
            others=Tally(int(data["others"]["count"]), int(data["others"]["digest"])),
            beyond=frozenset(str(u) for u in data["beyond"]),
            beyond_full=bool(data["beyond_full"]),
            own=Tally(int(data["own"]["count"]), int(data["own"]["digest"])),
        )

    def history(self, dossier_uuids: Sequence[str]) -> list[OutboxEvent]:
        answer = self._call("POST", "/v1/history", json={"dossiers": list(dossier_uuids)})
        return [_event(e) for e in answer["events"]]

    def published(self, procedures: dict[str, str], years: dict[int, str]) -> Published:
        """The city's published procedures and calendar years that differ from these digests."""
        answer = self._call("POST", "/v1/published", json={"procedures": procedures, "calendars": years})
        return parse_published(answer["procedures"], answer["calendars"])

    def blobs(self) -> ServiceBlobs:
        return ServiceBlobs(self)

    def raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call, its answer unread (a chunk's bytes are not JSON); asked again while the service says to come
        back (sync.service_waits: busy, or this address throttled)."""
        return self.waits.answer(lambda: self._request(method, path, **kwargs))


class ServiceBlobs:
    """The attachment files through the service (sync.attachment_transfer.Blobs): the same resumable, verified
    steps as over a database session. A file the service will not take (not yet named by a pushed event, over the
    agency's quota) is a RuleError with its reason; the file stays pending and goes at a later sync."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    def begin(self, sha256: str, size: int) -> tuple[bool, set[int]]:
        answer = self.client.raw("POST", f"/v1/attachments/{sha256}", json={"size": size})
        self.client.raise_for_refusal(answer)
        state = answer.json()
        return bool(state["complete"]), {int(i) for i in state["have"]}

    def put_chunk(self, sha256: str, idx: int, data: bytes) -> bool:
        answer = self.client.raw("PUT", f"/v1/attachments/{sha256}/chunks/{idx}", content=data, headers=_OCTETS)
        self.client.raise_for_refusal(answer)
        return bool(answer.json()["stored"])

    def complete(self, sha256: str) -> str:
        answer = self.client.raw("POST", f"/v1/attachments/{sha256}/complete")
        self.client.raise_for_refusal(answer)
        return str(answer.json()["status"])

    def size_of(self, sha256: str) -> int | None:
        answer = self.client.raw("GET", f"/v1/attachments/{sha256}")
        if answer.status_code == 404:
            return None
        self.client.raise_for_refusal(answer)
        return int(answer.json()["size"])

    def chunk(self, sha256: str, idx: int) -> bytes | None:
        answer = self.client.raw("GET", f"/v1/attachments/{sha256}/chunks/{idx}")
        if answer.status_code == 404:
            return None
        self.client.raise_for_refusal(answer)
        return answer.content

    def files_of(self, dossier_uuid: str) -> list[tuple[int, str, int]]:
        answer = self.client.raw("GET", f"/v1/dossiers/{dossier_uuid}/attachments")
        self.client.raise_for_refusal(answer)
        return [(int(f["paper"]), str(f["sha256"]), int(f["size"])) for f in answer.json()]


def service_clock(base_url: str, *, ca_file: str | None, timeout: float) -> datetime:
    """The service's clock, to the second, for the doctor (no credential needed): the `Date` of its answer to an
    unauthenticated hello. CentralUnreachable (detail: the error's kind) on any failure."""
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca_file) if ca_file else True
    try:
        with httpx.Client(base_url=base_url.rstrip("/"), verify=verify, timeout=timeout) as http:
            answer = http.get("/v1/hello")
        return parsedate_to_datetime(answer.headers["date"])
    except (httpx.HTTPError, ssl.SSLError, KeyError, TypeError, ValueError) as exc:
        raise CentralUnreachable(UNREACHABLE, detail=type(exc).__name__) from None


def check_identity(hello: dict[str, Any], agency_code: str, counter: int, numbering: tuple[int, int]) -> None:
    if (hello["agency_code"], int(hello["counter"])) != (agency_code, counter):
        raise RuleError(
            f"Thông tin xác thực đồng bộ là của quầy {hello['counter']} cơ quan {hello['agency_code']}, nhưng máy "
            f"này được thiết lập là quầy {counter} cơ quan {agency_code}."
        )
    if (int(hello["counter_digits"]), int(hello["number_digits"])) != numbering:
        raise RuleError("Độ dài mã số của cơ quan trên máy chủ trung tâm khác với thiết lập của máy này.")


def synchronize(
    database: Database,
    client: ServiceClient,
    *,
    agency_code: str,
    counter: int,
    numbering: tuple[int, int],
    system_now: Callable[[], datetime],
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    pull_batch: int = pull.DEFAULT_BATCH,
    remember_public_url: Callable[[str], None] | None = None,
    uploads: UploadQueue | None = None,
) -> SyncReport:
    """Hello (schema, clock, identity), push every unsent event, upload the pending attachment files
    (`uploads`; after the events, so that the central knows the dossiers naming them), pull what this
    counter may see, then check what it holds against the central's count and repair a loss (sync.count_check).

    The hello names the address of the citizen's status page when the service serves one: it goes to
    `remember_public_url` (in its own short write, before any event is sent), so that a receipt printed offline
    afterwards already carries the link."""
    pushing = PushTally()
    pulled = pull.PullOutcome()
    counted = CountOutcome()
    client.waits.cancel = cancel
    recovered = own_history.Recovered()
    files = UploadOutcome()
    try:
        hello = client.hello()
        check_schema(str(hello["revision"]), known_revisions())
        check_clock(datetime.fromisoformat(str(hello["server_now"])), system_now())
        check_identity(hello, agency_code, counter, numbering)
        public_url = hello.get("public_url")
        if remember_public_url is not None and isinstance(public_url, str) and public_url.strip():
            remember_public_url(public_url.strip())
        # a database restored from an older backup first takes back what this counter recorded since
        recovered = own_history.recover_from(
            client.own, database, agency_code=agency_code, counter=counter, numbering=Numbering(*numbering)
        )
        push_pending(database, client.push_body, pushing, chunk=PUSH_CHUNK, cancel=cancel, progress=progress)
        if uploads is not None and not (cancel is not None and cancel.is_set()):
            upload_pending(client.blobs(), uploads, cancel=cancel, outcome=files)
        pull.pull_pages(
            lambda cursor: client.page(cursor, pull_batch),
            client.history,
            client.counters(),
            database,
            cancel=cancel,
            outcome=pulled,
        )
        if not (cancel is not None and cancel.is_set()):
            # after the push: the central's count of this counter's own events includes this sync's
            counted = check_and_repair(
                database,
                client.count,
                lambda cursor: client.page(cursor, pull_batch),
                client.history,
                agency_code=agency_code,
                counter=counter,
                cancel=cancel,
            )
    except CentralUnreachable as exc:
        cut = cancel is not None and cancel.is_set()
        raise SyncInterrupted(exc, _report(pushing, pulled, recovered, files, counted, cancelled=cut)) from None
    cancelled = cancel is not None and cancel.is_set()
    report = _report(pushing, pulled, recovered, files, counted, cancelled=cancelled)
    log.info(
        "sync through the service: pushed %d, pulled %d, failed %d, repaired %d",
        report.pushed,
        report.pulled,
        report.failed,
        report.repaired,
    )
    return report


def _report(
    pushing: PushTally,
    pulled: pull.PullOutcome,
    recovered: own_history.Recovered,
    files: UploadOutcome,
    counted: CountOutcome,
    *,
    cancelled: bool = False,
) -> SyncReport:
    # this counter's own events taken back after a restore are received like the others'
    return SyncReport(
        pushing.pushed,
        pulled.pulled + recovered.events,
        pushing.dead + pulled.failed + recovered.failed + counted.failed,
        len(pushing.dossiers | pulled.dossiers | recovered.dossiers | counted.dossiers),
        cancelled=cancelled,
        repaired=counted.repaired,
        count_mismatch=counted.mismatch,
        files_uploaded=files.files,
        files_failed=files.failed,
        bytes_uploaded=files.bytes_sent,
    )
